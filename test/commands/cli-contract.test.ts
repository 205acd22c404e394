/**
 * The CLI's error promise for every command: a missing argument, an unknown flag and a typo in the command's
 * name each print ONE line `error WB_CODE: message (hint)` on stderr and exit non-zero. Also: -h, --version
 * and `version`.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { after, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { type CliResult, REPO, runCli } from '../helpers/cli.js'

const cwd = mkdtempSync(join(tmpdir(), 'wb-cli-contract-'))
after(() => rmSync(cwd, { recursive: true, force: true }))

const ONE_LINE = /^error WB_[A-Z_]+: .+ \(.+\)\n$/

interface CommandInfo {
  name: string
  requiredArgs: string[]
}

async function commands(): Promise<CommandInfo[]> {
  const dir = join(REPO, 'src', 'commands')
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f)).sort()
  return Promise.all(
    files.map(async (file) => {
      const mod = (await import(pathToFileURL(join(dir, file)).href)) as {
        default: { args?: Record<string, { required?: boolean }> }
      }
      const name = relative(dir, join(dir, file))
        .replace(/\.tsx?$/, '')
        .replace(/[\\/]index$/, '')
        .split(/[\\/]/)
        .join(' ')
      const requiredArgs = Object.entries(mod.default.args ?? {})
        .filter(([, a]) => a.required)
        .map(([n]) => n)
      return { name, requiredArgs }
    }),
  )
}

/** `start` → `strat`-style typo of the last word: two neighbouring letters swapped (or one doubled). */
function typo(name: string): string {
  const words = name.split(' ')
  const last = words.pop()!
  const i = Math.max(1, Math.floor(last.length / 2) - 1)
  const swapped =
    last.length >= 4 ? last.slice(0, i) + last[i + 1] + last[i] + last.slice(i + 2) : `${last}${last.at(-1)}`
  return [...words, swapped === last ? `${last}x` : swapped].join(' ')
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))))
  return out
}

function assertOneLine(what: string, r: CliResult, code?: RegExp): void {
  assert.notEqual(r.code, 0, `${what}: exit code`)
  assert.match(r.stderr, ONE_LINE, `${what}: stderr was ${JSON.stringify(r.stderr)}`)
  if (code) assert.match(r.stderr, code, what)
}

test('every command: missing argument, unknown flag and typo give one coded line and a non-zero exit', {
  timeout: 300_000,
}, async () => {
  const all = await commands()
  assert.ok(all.length >= 20, `found ${all.length} commands`)
  const cases: { what: string; argv: string[]; code: RegExp; suggestion?: string }[] = []
  // A typo goes through one hook (command_not_found) whatever the command: one typo per topic and per
  // top-level command keeps that covered without a process for every subcommand.
  const typoTopics = new Set<string>()
  for (const c of all) {
    const words = c.name.split(' ')
    if (c.requiredArgs.length > 0)
      cases.push({ what: `${c.name} (missing argument)`, argv: words, code: /^error WB_USAGE: .*missing argument/ })
    cases.push({
      what: `${c.name} --no-such-flag`,
      argv: [...words, ...c.requiredArgs.map(() => 'x'), '--no-such-flag'],
      code: /^error WB_USAGE: .*unknown flag --no-such-flag/,
    })
    const topic = c.name.split(' ')[0]!
    if (typoTopics.has(topic)) continue
    typoTopics.add(topic)
    cases.push({
      what: `typo of ${c.name}`,
      argv: typo(c.name).split(' '),
      code: /^error WB_COMMAND_UNKNOWN: /,
      suggestion: c.name,
    })
  }
  const results = await inBatches(cases, 3, (c) => runCli(c.argv, { cwd, env: { WADDLEBOT_CONFIG: '' } }))
  cases.forEach((c, i) => {
    assertOneLine(c.what, results[i]!, c.code)
    if (c.suggestion)
      assert.ok(
        results[i]!.stderr.includes(`did you mean \`waddlebot ${c.suggestion}\``),
        `${c.what}: ${results[i]!.stderr}`,
      )
  })
})

test('-h, --version and version', async () => {
  const help = await runCli(['-h'], { cwd })
  assert.equal(help.code, 0, help.stderr)
  assert.match(help.stdout, /USAGE[\s\S]*COMMANDS/)
  const subHelp = await runCli(['keys', 'create', '-h'], { cwd })
  assert.equal(subHelp.code, 0)
  assert.match(subHelp.stdout, /ARGUMENTS\s+NAME/)
  const flag = await runCli(['--version'], { cwd })
  const verb = await runCli(['version'], { cwd })
  assert.match(flag.stdout, /^waddlebot\/0\.\d+\.\d+ /)
  assert.equal(verb.stdout, flag.stdout)
  const json = JSON.parse((await runCli(['version', '--json'], { cwd })).stdout) as { version: string }
  assert.match(json.version, /^\d+\.\d+\.\d+/)
})

test('a command flag missing its value, and an unknown top-level flag', async () => {
  assertOneLine('init --storage', await runCli(['init', '--storage'], { cwd }), /^error WB_USAGE: init: .*--storage/)
  assertOneLine('--bogus', await runCli(['--bogus'], { cwd }), /^error WB_USAGE: waddlebot: unknown flag --bogus/)
})
