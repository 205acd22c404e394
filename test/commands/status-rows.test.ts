/** status: a down router makes the modules that answer degraded (no event can reach them), not ok. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { routerDownMarksDependents } from '../../src/commands/status.js'

const row = (name: string, status: 'ok' | 'degraded' | 'down') => ({
  name,
  port: 1,
  url: 'http://x',
  status,
  p99_ms: null,
  errors: null,
})

test('router down: ok modules become degraded with the reason; others keep their state', () => {
  const rows = routerDownMarksDependents([
    row('router', 'down'),
    row('twitch', 'ok'),
    row('spotify', 'degraded'),
    row('slack', 'down'),
  ])
  assert.deepEqual(
    rows.map((r) => [r.name, r.status]),
    [
      ['router', 'down'],
      ['twitch', 'degraded'],
      ['spotify', 'degraded'],
      ['slack', 'down'],
    ],
  )
  assert.equal((rows[1] as { detail?: string }).detail, 'router down: no events reach it')
})

test('router up: rows are unchanged', () => {
  const rows = [row('router', 'ok'), row('twitch', 'ok')]
  assert.deepEqual(routerDownMarksDependents(rows), rows)
})
