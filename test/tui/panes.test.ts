import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { cleanup, render } from 'ink-testing-library'
import { createElement } from 'react'
import type { ProcessedSummary } from '../../src/cli/monitor-client.js'
import { Dashboard } from '../../src/tui/dashboard.js'
import { type FakeSource, fakeSource, moduleRow, plain, renderSized, statsFixture, waitForFrame } from './support.js'

const mounted: { unmount(): void; cleanup(): void }[] = []
afterEach(() => {
  cleanup()
  for (const m of mounted.splice(0)) {
    m.unmount()
    m.cleanup()
  }
})

/**
 * The whole dashboard at width × height: ink-testing-library up to its 100 columns (size passed as props),
 * a wider fake terminal beyond (sized by the terminal itself, as in real use).
 */
function mount(source: FakeSource, width = 80, height = 24) {
  const r =
    width <= 100
      ? render(createElement(Dashboard, { source, width, height }))
      : renderSized(createElement(Dashboard, { source }), width, height)
  if (width > 100) mounted.push(r as ReturnType<typeof renderSized>)
  return {
    ...r,
    text: () => plain(r.lastFrame()),
    wait: (check: (t: string) => boolean, what?: string) => waitForFrame(r.lastFrame, check, 3000, what),
  }
}

const ping = (extra: Partial<ProcessedSummary> = {}): ProcessedSummary => ({
  time: Date.now(),
  platform: 'local',
  entity_id: 'local:local:console',
  channel_id: 'console',
  user: 'Ann',
  message_type: 'chatMessage',
  command: '!ping',
  outcome: 'command',
  latency_ms: 1.25,
  ...extra,
})

describe('header pane', () => {
  test('connecting, then uptime, events/s and a sparkline of the last minute', async () => {
    const source = fakeSource()
    const ui = mount(source)
    await ui.wait((t) => t.includes('◌ connecting') && t.includes('http://127.0.0.1:18000'), 'connecting')
    const per = Array.from({ length: 60 }, (_, i) => (i >= 55 ? 6 : 0))
    source.push({ type: 'connection', connection: { state: 'live', url: source.url } })
    source.push({
      type: 'stats',
      stats: statsFixture({
        uptime_s: 3720,
        events_total: 30,
        events_per_s: 0.5,
        per_second: per,
        p99_ms: 3.21,
        errors_last_minute: 2,
      }),
    })
    const text = await ui.wait((t) => t.includes('● live'), 'live')
    assert.match(text, /up 1h 02m/)
    assert.match(text, /0\.50 ev\/s/)
    assert.match(text, /30 events · errors 2\/min · p99 3\.21ms/)
    assert.match(text, /▁+█+/, 'the sparkline rises at the end')
    assert.equal(source.started, 1)
    ui.unmount()
    assert.equal(source.stopped, 1, 'unmount stops the source')
  })

  test('an unreachable router is named with the retry countdown; a refused key says so', async () => {
    const source = fakeSource()
    const ui = mount(source)
    source.push({
      type: 'connection',
      connection: { state: 'unreachable', url: source.url, error: 'ECONNREFUSED', retryAt: Date.now() + 3000 },
    })
    await ui.wait(
      (t) => /router unreachable at http:\/\/127\.0\.0\.1:18000, retrying in [23]s \(ECONNREFUSED\)/.test(t),
      'unreachable line',
    )
    source.push({
      type: 'connection',
      connection: { state: 'refused', url: source.url, error: '401 WB_AUTH_REQUIRED', retryAt: Date.now() + 1000 },
    })
    await ui.wait(
      (t) => /router at http:\/\/127\.0\.0\.1:18000 answered 401 WB_AUTH_REQUIRED, retrying in 1s/.test(t),
      'refused line',
    )
  })
})

describe('modules pane', () => {
  test('one row per module with port, status, p99, errors and replicas; a down module is marked and recovers', async () => {
    const source = fakeSource()
    const ui = mount(source, 100, 30)
    const modules = [
      moduleRow('router', { p99_ms: 4.5, errors: 0, replicas: 2 }),
      moduleRow('greeter', {
        port: 8100,
        url: 'http://127.0.0.1:8100',
        status: 'down',
        detail: 'unreachable at http://127.0.0.1:8100: ECONNREFUSED',
        errors: 3,
      }),
    ]
    source.push({ type: 'connection', connection: { state: 'live', url: source.url } })
    source.push({ type: 'stats', stats: statsFixture({ modules }) })
    const text = await ui.wait((t) => t.includes('greeter'), 'module rows')
    assert.match(text, /router\s+8000\s+● ok\s+4\.50ms\s+0\s+2/)
    assert.match(text, /greeter\s+8100\s+✖ down\s+—\s+3\s+—\s+unreachable at http:\/\/127\.0\.0\.1:8100/)
    // A health change from the stream flips the row at once, and the feed tells it.
    source.push({ type: 'health', change: { time: Date.now(), module: 'greeter', status: 'ok', previous: 'down' } })
    const after = await ui.wait((t) => /greeter\s+8100\s+● ok/.test(t), 'greeter recovered')
    assert.match(after, /module greeter down → ok/)
  })

  test('while the router does not answer, its own row shows down; it comes back with the next stats', async () => {
    const source = fakeSource()
    const ui = mount(source)
    source.push({ type: 'connection', connection: { state: 'live', url: source.url } })
    source.push({ type: 'stats', stats: statsFixture() })
    await ui.wait((t) => /router\s+8000\s+● ok/.test(t), 'router ok')
    source.push({
      type: 'connection',
      connection: { state: 'unreachable', url: source.url, error: 'ECONNREFUSED', retryAt: Date.now() + 1000 },
    })
    await ui.wait((t) => /router\s+8000\s+✖ down/.test(t) && t.includes('router unreachable at'), 'router down')
    source.push({ type: 'stats', stats: statsFixture() })
    source.push({ type: 'connection', connection: { state: 'live', url: source.url } })
    const back = await ui.wait((t) => /router\s+8000\s+● ok/.test(t) && t.includes('● live'), 'router back')
    assert.doesNotMatch(back, /unreachable/)
  })
})

describe('feed pane', () => {
  test('commands and moderation actions, newest first; ignored chatter is left out', async () => {
    const source = fakeSource()
    const ui = mount(source)
    source.push({ type: 'processed', summary: ping({ user: 'First' }) })
    source.push({
      type: 'processed',
      summary: ping({ command: undefined, outcome: 'ignored', user: 'Chatter' } as never),
    })
    source.push({
      type: 'processed',
      summary: ping({
        command: undefined,
        outcome: 'string_match',
        moderation: ['timeout'],
        user: 'Spammer',
        platform: 'twitch',
        channel_id: 'chan',
      } as never),
    })
    source.push({
      type: 'processed',
      summary: ping({ command: '!boom', outcome: 'module_error', user: 'Last', latency_ms: 12 }),
    })
    const text = await ui.wait((t) => t.includes('Last'), 'feed lines')
    const lines = text.split('\n').filter((l) => /\d\d:\d\d:\d\d/.test(l))
    assert.equal(lines.length, 3, text)
    assert.match(lines[0]!, /› local\/console Last !boom → module_error 12ms/)
    assert.match(lines[1]!, /⚑ twitch\/chan Spammer chatMessage → string_match ⚑ timeout/)
    assert.match(lines[2]!, /› local\/console First !ping → command 1\.3ms/)
    assert.doesNotMatch(text, /Chatter/)
  })

  test('/ filters the feed (Enter applies, Esc clears); p pauses and resumes', async () => {
    const source = fakeSource()
    const ui = mount(source)
    source.push({ type: 'processed', summary: ping({ user: 'Ann' }) })
    source.push({ type: 'processed', summary: ping({ user: 'Bob', command: '!help' }) })
    await ui.wait((t) => t.includes('Bob') && t.includes('Ann'), 'two lines')
    ui.stdin.write('/')
    ui.stdin.write('help')
    await ui.wait((t) => t.includes('filter /help'), 'filter prompt')
    ui.stdin.write('\r')
    const filtered = await ui.wait((t) => t.includes('filter “help” (1)'), 'filter applied')
    assert.match(filtered, /Bob !help/)
    assert.doesNotMatch(filtered, /Ann !ping/)
    ui.stdin.write('\x1b')
    await ui.wait((t) => t.includes('Ann !ping') && !t.includes('filter “'), 'filter cleared')

    ui.stdin.write('p')
    await ui.wait((t) => t.includes('PAUSED'), 'paused')
    source.push({ type: 'processed', summary: ping({ user: 'Cat' }) })
    const held = await ui.wait((t) => t.includes('paused, 1 new'), 'held item')
    assert.doesNotMatch(held, /Cat/)
    ui.stdin.write('p')
    await ui.wait((t) => t.includes('Cat !ping') && !t.includes('PAUSED'), 'resumed')
  })

  test('keys typed in one chunk apply in order; tab moves the focus; q quits', async () => {
    const source = fakeSource()
    const ui = mount(source)
    source.push({ type: 'processed', summary: ping({ user: 'Ann' }) })
    source.push({ type: 'processed', summary: ping({ user: 'Bob', command: '!help' }) })
    ui.stdin.write('/help\r')
    await ui.wait((t) => t.includes('filter “help” (1)'), 'filter from one chunk')
    ui.stdin.write('\t')
    await ui.wait((t) => t.includes('tab pane (side)'), 'focus moved')
    ui.stdin.write('q')
    await ui.wait(() => source.stopped === 1, 'quit stops the source')
  })
})

describe('overlays and claims pane', () => {
  test('— while unknown; numbers once browser-source and coordination answer; null claims stay —', async () => {
    const source = fakeSource()
    const ui = mount(source)
    await ui.wait((t) => /Overlays — · Claims —/.test(t), 'dashes')
    source.push({ type: 'stats', stats: statsFixture({ overlays: 3 }) })
    source.push({ type: 'claims', claims: { 'twitch-a': 5, 'twitch-b': 2 } })
    await ui.wait((t) => /Overlays 3 · Claims 7: twitch-a 5, twitch-b 2/.test(t), 'figures')
    source.push({ type: 'claims', claims: null })
    await ui.wait((t) => /Overlays 3 · Claims —/.test(t), 'claims gone (404)')
  })

  test('a wide terminal puts the pane beside the modules and lists claims', async () => {
    const source = fakeSource()
    const ui = mount(source, 140, 40)
    source.push({ type: 'stats', stats: statsFixture({ overlays: 0 }) })
    source.push({ type: 'claims', claims: { 'twitch-a': 5 } })
    const text = await ui.wait((t) => t.includes('twitch-a'), 'wide side pane')
    assert.match(text, /Modules.*Overlays connected 0/)
    assert.match(text, /twitch-a\s+5/)
  })
})

describe('layout', () => {
  for (const [width, height] of [
    [80, 24],
    [100, 30],
    [140, 40],
  ] as const) {
    test(`fits ${width}×${height}: at most ${height - 1} lines, none wider than ${width}`, async () => {
      const source = fakeSource()
      const ui = mount(source, width, height)
      source.push({ type: 'connection', connection: { state: 'live', url: source.url } })
      source.push({
        type: 'stats',
        stats: statsFixture({ modules: Array.from({ length: 12 }, (_, i) => moduleRow(`module-${i}`)) }),
      })
      for (let i = 0; i < 40; i++) source.push({ type: 'processed', summary: ping({ user: `user${i}`.repeat(8) }) })
      const text = await ui.wait((t) => t.includes('user39'), 'filled')
      const lines = text.split('\n')
      assert.ok(lines.length <= height - 1, `${lines.length} lines`)
      for (const l of lines) assert.ok([...l].length <= width, `too wide (${[...l].length}): ${l}`)
      assert.match(text, /q quit/)
      if (height >= 30)
        assert.ok(
          lines.filter((l) => /\d\d:\d\d:\d\d/.test(l)).length >= 10,
          'a taller terminal shows more of the feed',
        )
    })
  }
})
