import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { isWaddleError } from '../../src/runtime/errors.js'
import { createRegistry } from '../../src/runtime/registry.js'
import {
  backoffDelay,
  createSupervisor,
  parseReplicas,
  planChildren,
  type Supervisor,
} from '../../src/runtime/supervisor.js'
import { testProject } from '../helpers/settings.js'

const FAKE = fileURLToPath(new URL('../fixtures/fake-child.mjs', import.meta.url))
const FAKE_SUPERVISOR = fileURLToPath(new URL('../fixtures/fake-supervisor.ts', import.meta.url))

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ESRCH')
    return false
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const invalidReplicas = (e: unknown) =>
  isWaddleError(e) && e.code === 'WB_INPUT_INVALID' && e.params.field === 'replicas'

describe('backoffDelay', () => {
  it('given successive attempts, doubles from 250 ms and caps at 10 s', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n)),
      [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000],
    )
  })
  it('given custom options, uses them', () => {
    assert.equal(backoffDelay(2, { initialMs: 10, factor: 3, maxMs: 50, resetAfterMs: 0 }), 50)
    assert.equal(backoffDelay(1, { initialMs: 10, factor: 3, maxMs: 50, resetAfterMs: 0 }), 30)
  })
})

describe('parseReplicas', () => {
  it('given comma-separated and repeated specs, returns module → count', () => {
    assert.deepEqual(
      parseReplicas('router=2,twitch=3'),
      new Map([
        ['router', 2],
        ['twitch', 3],
      ]),
    )
    assert.deepEqual(
      parseReplicas(['router=2', ' youtube-music=1 ,']),
      new Map([
        ['router', 2],
        ['youtube-music', 1],
      ]),
    )
    assert.deepEqual(parseReplicas(undefined), new Map())
  })
  for (const bad of ['router', 'router=', 'router=x', 'router=0', 'router=33', 'Router=2', 'router=2,router=3', '=2']) {
    it(`given ${JSON.stringify(bad)}, throws WB_INPUT_INVALID naming replicas`, () => {
      assert.throws(() => parseReplicas(bad), invalidReplicas)
    })
  }
  it('given a module outside the supervised ones, names it', () => {
    assert.throws(
      () => parseReplicas('hub=2', ['router']),
      (e: unknown) => invalidReplicas(e) && /hub/.test((e as Error).message),
    )
  })
})

describe('planChildren', () => {
  it('given replicas, labels them and keeps the one port offset (they share the port)', () => {
    assert.deepEqual(planChildren(['router', 'greeter'], new Map([['router', 3]]), 50), [
      { module: 'router', replica: 0, label: 'router', portOffset: 50, shared: true },
      { module: 'router', replica: 1, label: 'router#2', portOffset: 50, shared: true },
      { module: 'router', replica: 2, label: 'router#3', portOffset: 50, shared: true },
      { module: 'greeter', replica: 0, label: 'greeter', portOffset: 50, shared: false },
    ])
  })
  it('given modules with ports of their own (collectors), raises their offset by 1000 per extra replica', () => {
    assert.deepEqual(
      planChildren(
        ['twitch', 'router'],
        new Map([
          ['twitch', 2],
          ['router', 2],
        ]),
        50,
        (m) => m === 'twitch',
      ),
      [
        { module: 'twitch', replica: 0, label: 'twitch', portOffset: 50, shared: false },
        { module: 'twitch', replica: 1, label: 'twitch#2', portOffset: 1050, shared: false },
        { module: 'router', replica: 0, label: 'router', portOffset: 50, shared: true },
        { module: 'router', replica: 1, label: 'router#2', portOffset: 50, shared: true },
      ],
    )
  })
  it('given an own-port offset that would pass 50000, throws WB_INPUT_INVALID naming replicas', () => {
    assert.throws(() => planChildren(['twitch'], new Map([['twitch', 3]]), 48_500, () => true), invalidReplicas)
  })
})

describe('Supervisor over fake children', () => {
  const project = testProject({ env: { WADDLEBOT_PORT_OFFSET: '700' } })
  const supervisors: Supervisor[] = []
  after(async () => {
    await Promise.all(supervisors.map((s) => s.stop()))
    project.cleanup()
  })
  const make = (
    modules: string[],
    replicas: Record<string, number> = {},
    extra: { maxCrashes?: number; stopTimeoutMs?: number; resetAfterMs?: number } = {},
  ) => {
    const lines: string[] = []
    const s = createSupervisor({
      settings: project.settings,
      registry: createRegistry(project.settings, builtinCatalog),
      modules,
      replicas: new Map(Object.entries(replicas)),
      out: (line) => lines.push(line),
      color: false,
      backoff: {
        initialMs: 50,
        maxMs: 200,
        ...(extra.resetAfterMs === undefined ? {} : { resetAfterMs: extra.resetAfterMs }),
      },
      childArgs: (c) => [FAKE, c.module === 'router' ? 'steady' : c.module],
      ...(extra.maxCrashes === undefined ? {} : { maxCrashes: extra.maxCrashes }),
      ...(extra.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: extra.stopTimeoutMs }),
    })
    supervisors.push(s)
    return { s, lines }
  }

  it('prefixes every line of every replica, passes replica, the one shared port offset and one shared service key', async () => {
    const { s, lines } = make(['steady', 'router'], { steady: 2 })
    s.start()
    await waitFor('all children to print "third"', () => lines.filter((l) => l.endsWith(' third')).length === 3)
    assert.ok(lines.includes('[steady]     first') && lines.includes('[steady#2]   second'), lines.join('\n'))
    assert.ok(lines.some((l) => /^\[supervisor\] started steady pid \d+$/.test(l)))
    const hellos = lines.filter((l) => l.includes(' hello '))
    const first = hellos.find((l) => l.startsWith('[steady] '))
    const second = hellos.find((l) => l.startsWith('[steady#2] '))
    assert.match(first ?? '', /replica=0 offset=700 key=wbot_service_\S+ router_url=-$/)
    assert.match(second ?? '', /replica=1 offset=700 key=wbot_service_\S+ router_url=-$/)
    assert.equal(/key=(\S+)/.exec(first!)?.[1], /key=(\S+)/.exec(second!)?.[1])
    await s.stop()
  })

  it('restarts a killed child within 5 s and stop() leaves no child alive', async () => {
    const { s, lines } = make(['steady'])
    const spawned: number[] = []
    const restarts: number[] = []
    s.on('spawn', (_c, pid) => spawned.push(pid))
    s.on('restart', (_c, info) => restarts.push(info.delayMs))
    s.start()
    await waitFor('the first line', () => lines.some((l) => l.endsWith(' third')))
    const killedAt = Date.now()
    process.kill(spawned[0]!, 'SIGKILL')
    await waitFor('a second spawn', () => spawned.length === 2)
    assert.ok(Date.now() - killedAt < 5000)
    assert.deepEqual(restarts, [50])
    assert.ok(lines.some((l) => l.includes('steady exited (signal SIGKILL)')))
    assert.equal(s.children[0]?.status, 'running')
    await waitFor('the new child to run', () => lines.filter((l) => l.endsWith(' third')).length === 2)
    await s.stop()
    assert.ok(!isAlive(spawned[1]!))
    assert.equal(s.children[0]?.status, 'stopped')
    assert.ok(lines.includes('[steady]     bye'))
  })

  it('gives up on a child that keeps crashing while the others keep running', async () => {
    const { s, lines } = make(['crashy', 'steady'], {}, { maxCrashes: 3 })
    const gaveUp = new Promise((resolve) => s.once('giveup', (c, crashes) => resolve([c.label, crashes])))
    s.start()
    assert.deepEqual(await gaveUp, ['crashy', 3])
    assert.equal(lines.filter((l) => l === '[crashy]     crashing').length, 3)
    assert.ok(lines.some((l) => l.includes('crashy exited (code 3); giving up after 3 fast consecutive crashes')))
    assert.deepEqual(
      s.children.map((c) => c.status),
      ['failed', 'running'],
    )
    await s.stop()
  })

  it('backs off exponentially, and forgets crashes of a child that stayed up long enough', async () => {
    const fast = make(['crashy'], {}, { maxCrashes: 5 })
    const delays: number[] = []
    fast.s.on('restart', (_c, info) => delays.push(info.delayMs))
    const gaveUp = new Promise((resolve) => fast.s.once('giveup', resolve))
    fast.s.start()
    await gaveUp
    assert.deepEqual(delays, [50, 100, 200, 200])
    await fast.s.stop()

    const slow = make(['crashy'], {}, { maxCrashes: 2, resetAfterMs: 0 })
    const attempts: number[] = []
    slow.s.on('restart', (_c, info) => attempts.push(info.attempt))
    slow.s.on('giveup', () => attempts.push(-1))
    slow.s.start()
    await waitFor('four restarts', () => attempts.length >= 4)
    await slow.s.stop()
    assert.deepEqual(attempts.slice(0, 4), [1, 1, 1, 1])
  })

  it('SIGKILLs a child that ignores SIGTERM after the grace period', async () => {
    const { s, lines } = make(['stubborn'], {}, { stopTimeoutMs: 300 })
    s.start()
    await waitFor('the child to run', () => lines.some((l) => l.endsWith(' third')))
    const pid = s.children[0]!.pid!
    const started = Date.now()
    await s.stop()
    assert.ok(Date.now() - started >= 300)
    assert.ok(!isAlive(pid))
    assert.ok(lines.includes('[stubborn]   ignoring SIGTERM'))
    assert.ok(lines.some((l) => l.includes(`stubborn did not stop within 300 ms; killing pid ${pid}`)))
  })

  it('leaves no orphan when the supervisor itself is SIGKILLed', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', FAKE_SUPERVISOR, project.dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    proc.stdout.on('data', (chunk) => {
      out += chunk
    })
    const pids = await waitFor(
      'two children',
      () => {
        const found = [...out.matchAll(/child (\d+)/g)].map((m) => Number(m[1]))
        return found.length === 2 && found
      },
      15_000,
    )
    assert.ok(pids.every(isAlive))
    proc.kill('SIGKILL')
    await waitFor('the children to exit', () => pids.every((p) => !isAlive(p)), 5000)
  })
})
