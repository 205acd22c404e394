import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fetchClaims, fetchStats, MonitorHttpError, SseParser } from '../../src/cli/monitor-client.js'
import { sumMetric } from '../../src/modules/router/stream-probe.js'
import { percentile, RollingStats } from '../../src/modules/router/stream-window.js'
import { cell, formatMs, formatRate, formatUptime, sparkline } from '../../src/tui/format.js'
import { applyInput, initialUi, onKey } from '../../src/tui/keys.js'
import { liveSource } from '../../src/tui/source.js'
import type { SourceEvent } from '../../src/tui/state.js'
import { describeProcessed, FEED_MAX, initialState, reduce } from '../../src/tui/state.js'
import { moduleRow, statsFixture } from './support.js'

describe('format', () => {
  test('sparkline: zero is the lowest bar, the maximum the highest, merged to the width', () => {
    assert.equal(sparkline([0, 0, 0]), '▁▁▁')
    assert.equal(sparkline([0, 1, 2, 4, 8]), '▁▂▃▅█')
    assert.equal(sparkline([0, 8, 0, 0, 0, 8], 3), '█▁█')
    assert.equal(
      [
        ...sparkline(
          Array.from({ length: 60 }, (_, i) => i),
          20,
        ),
      ].length,
      20,
    )
    assert.equal(sparkline([], 10), '')
  })

  test('uptime, latency, rate and cells', () => {
    assert.deepEqual([42, 303, 3720, 273_600].map(formatUptime), ['42s', '5m 03s', '1h 02m', '3d 4h'])
    assert.deepEqual([null, 0.421, 12.4, 1234].map(formatMs), ['—', '0.42ms', '12ms', '1.2s'])
    assert.deepEqual([0.0166, 12.34, 456.7].map(formatRate), ['0.02', '12.3', '457'])
    assert.equal(cell('router', 8), 'router  ')
    assert.equal(cell('browser-source', 8), 'browser…')
  })
})

describe('keys', () => {
  test('/ then text, Enter applies; Esc clears; Backspace edits', () => {
    let ui = onKey(initialUi, '/', {}).ui
    for (const ch of 'pinx') ui = onKey(ui, ch, {}).ui
    ui = onKey(ui, '', { backspace: true }).ui
    ui = onKey(ui, 'g', {}).ui
    assert.equal(ui.draft, 'ping')
    ui = onKey(ui, '', { return: true }).ui
    assert.deepEqual([ui.filter, ui.draft], ['ping', undefined])
    assert.equal(onKey(ui, '', { escape: true }).ui.filter, '')
    assert.equal(onKey(onKey(ui, '/', {}).ui, '', { escape: true }).ui.filter, '', 'Esc while typing clears too')
  })

  test('q and p are effects outside the filter prompt, letters inside it', () => {
    assert.equal(onKey(initialUi, 'q', {}).effect, 'quit')
    assert.equal(onKey(initialUi, 'p', {}).effect, 'pause')
    const typing = onKey(initialUi, '/', {}).ui
    assert.equal(onKey(typing, 'q', {}).effect, undefined)
    assert.equal(onKey(typing, 'q', {}).ui.draft, 'q')
  })

  test('tab cycles the panes (shift-tab backwards); arrows scroll the focused pane, never below 0', () => {
    const a = onKey(initialUi, '', { tab: true }).ui
    assert.equal(a.focus, 'side')
    assert.equal(onKey(a, '', { tab: true }).ui.focus, 'modules')
    assert.equal(onKey(initialUi, '', { tab: true, shift: true }).ui.focus, 'modules')
    const down = onKey(onKey(initialUi, '', { downArrow: true }).ui, '', { downArrow: true }).ui
    assert.deepEqual(down.scroll, { modules: 0, feed: 2, side: 0 })
    assert.equal(onKey(initialUi, '', { upArrow: true }).ui.scroll.feed, 0)
  })

  test('a chunk of characters (a paste, tmux send-keys) applies key by key and stops at q', () => {
    const r = applyInput(initialUi, '/help\rpq', {})
    assert.equal(r.ui.filter, 'help')
    assert.deepEqual(r.effects, ['pause', 'quit'])
    assert.equal(applyInput(initialUi, '/ab\x7fc', {}).ui.draft, 'ac')
  })
})

describe('dashboard state', () => {
  const summary = {
    time: 1,
    platform: 'local',
    entity_id: 'e',
    channel_id: 'c',
    user: 'Ann',
    message_type: 'chatMessage',
    command: '!ping',
    outcome: 'command' as const,
    latency_ms: 1,
  }

  test('plain chat that handlers saw without answering is left out; answered chat and other events stay', () => {
    const chat = {
      time: 0,
      platform: 'twitch',
      entity_id: 'twitch:1:2',
      channel_id: '2',
      user: 'Ann',
      message_type: 'chatMessage',
      outcome: 'event',
      latency_ms: 0.5,
    } as const
    assert.equal(describeProcessed({ ...chat, responses: 0 }), undefined)
    assert.match(describeProcessed({ ...chat, responses: 1 })!.text, /chatMessage → event/)
    assert.match(describeProcessed({ ...chat, message_type: 'raid', responses: 0 })!.text, /raid → event/)
    assert.ok(describeProcessed(chat), 'an older router (no count) is shown as before')
  })

  test('the feed keeps the newest FEED_MAX items; ignored events are skipped; same connection → same state', () => {
    let s = initialState('http://x')
    for (let i = 0; i < FEED_MAX + 5; i++) s = reduce(s, { type: 'processed', summary: { ...summary, user: `u${i}` } })
    assert.equal(s.feed.length, FEED_MAX)
    assert.match(s.feed[0]!.text, new RegExp(`u${FEED_MAX + 4} `))
    assert.equal(
      reduce(s, { type: 'processed', summary: { ...summary, command: undefined, outcome: 'ignored' } } as never),
      s,
    )
    assert.equal(reduce(s, { type: 'connection', connection: { state: 'connecting', url: 'http://x' } }), s)
  })

  test('a health change patches the module row and is told in the feed', () => {
    let s = reduce(initialState('http://x'), {
      type: 'stats',
      stats: statsFixture({ modules: [moduleRow('greeter', { status: 'ok' })] }),
    })
    s = reduce(s, {
      type: 'health',
      change: { time: 5, module: 'greeter', status: 'down', previous: 'ok', detail: 'unreachable' },
    })
    assert.equal(s.stats!.modules[0]!.status, 'down')
    assert.equal(s.stats!.modules[0]!.detail, 'unreachable')
    assert.equal(s.feed[0]!.text, 'module greeter ok → down (unreachable)')
    assert.equal(s.feed[0]!.tone, 'error')
  })
})

describe('router side helpers', () => {
  test('RollingStats: 60 one-second buckets, per-module p50/p99 and errors, old seconds drop out', () => {
    const w = new RollingStats()
    const t0 = 1_000_000_000_000
    for (let i = 1; i <= 100; i++) w.record('greeter', 'command', i, t0 + 10)
    w.record('greeter', 'timeout', 500, t0 + 1000)
    w.record('router', 'command', 2, t0 + 1500)
    const snap = w.snapshot(t0 + 1999)
    assert.equal(snap.per_second.length, 60)
    assert.deepEqual(snap.per_second.slice(-2), [100, 2])
    assert.equal(snap.events, 102)
    assert.equal(snap.errors, 1)
    assert.deepEqual(snap.outcomes, { command: 101, timeout: 1 })
    assert.deepEqual(snap.modules.get('greeter'), { p50_ms: 51, p99_ms: 100, events: 101, errors: 1 })
    assert.deepEqual(snap.modules.get('router'), { p50_ms: 2, p99_ms: 2, events: 1, errors: 0 })
    const later = w.snapshot(t0 + 60_500)
    assert.equal(later.events, 2, 'the first second left the window')
    assert.equal(w.snapshot(t0 + 120_000).events, 0)
    assert.deepEqual([w.total, w.errorsTotal], [102, 1])
    assert.equal(percentile([], 99), null)
  })

  test('SseParser: events split across chunks, multi-line data, comments', () => {
    const p = new SseParser()
    assert.deepEqual(p.push('retry: 2000\n: connected\n\nevent: proc'), [{ comment: 'connected' }])
    assert.deepEqual(p.push('essed\ndata: {"a":1}\n\n: ping\n\ndata: x\r\ndata: y\r\n\r\n'), [
      { event: 'processed', data: '{"a":1}' },
      { comment: 'ping' },
      { event: 'message', data: 'x\ny' },
    ])
  })

  test('sumMetric adds every labelled sample of one family only', () => {
    const text =
      '# HELP waddlebot_overlay_connections x\nwaddlebot_overlay_connections{type="media"} 2\nwaddlebot_overlay_connections{type="ticker"} 1\nwaddlebot_overlay_connections_other 9\n'
    assert.equal(sumMetric(text, 'waddlebot_overlay_connections'), 3)
    assert.equal(sumMetric('', 'waddlebot_overlay_connections'), null)
  })
})

describe('monitor client against something that is not a router', () => {
  test('a 200 that is not router stats is refused (never handed to the dashboard); a 404 means no claims', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/coordination/stats')
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"WB_NOT_FOUND"}}')
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      await assert.rejects(
        fetchStats({ url }),
        (e: unknown) => e instanceof MonitorHttpError && e.code === 'NOT_A_ROUTER',
      )
      assert.equal(await fetchClaims({ url }), null)
      const seen: SourceEvent[] = []
      const stop = liveSource({ url, retryMs: 50 }).start((e) => seen.push(e))
      const deadline = Date.now() + 3000
      while (!seen.some((e) => e.type === 'connection' && e.connection.state === 'refused') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10))
      stop()
      const refused = seen.find((e) => e.type === 'connection' && e.connection.state === 'refused')
      assert.ok(
        refused &&
          refused.type === 'connection' &&
          'error' in refused.connection &&
          refused.connection.error === '200 NOT_A_ROUTER',
        JSON.stringify(seen),
      )
      assert.ok(!seen.some((e) => e.type === 'stats'))
    } finally {
      server.close()
    }
  })
})
