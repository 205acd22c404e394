/** The dashboard's AI line: today's tokens per community with their caps, left out when there is no ai module. */
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { cleanup, render } from 'ink-testing-library'
import { createElement } from 'react'
import type { AiUsage } from '../../src/modules/ai/public.js'
import { Dashboard } from '../../src/tui/dashboard.js'
import { aiUsageText } from '../../src/tui/side-pane.js'
import { fakeSource, plain, renderSized, statsFixture, waitForFrame } from './support.js'

const mounted: { unmount(): void; cleanup(): void }[] = []
afterEach(() => {
  cleanup()
  for (const m of mounted.splice(0)) {
    m.unmount()
    m.cleanup()
  }
})

const usage = (today: AiUsage['today']): AiUsage => ({
  provider: 'openai',
  model: 'gpt-test',
  day: '2026-12-03',
  today,
  history: [],
})

describe('AI usage in the dashboard', () => {
  test('the text: total, then each community with its cap (none when uncapped)', () => {
    assert.equal(aiUsageText(usage([])), '0 tok')
    assert.equal(
      aiUsageText(
        usage([
          { community_id: 'default', tokens: 1234, answers: 9, daily_token_cap: 100_000 },
          { community_id: 'other', tokens: 56, answers: 1, daily_token_cap: 0 },
        ]),
      ),
      '1,290 tok (default 1,234/100,000 · other 56)',
    )
  })

  test('80 columns: on the one-line pane once the ai module answers; gone when it stops answering', async () => {
    const source = fakeSource()
    const r = render(createElement(Dashboard, { source, width: 80, height: 24 }))
    source.push({ type: 'stats', stats: statsFixture({ overlays: 2 }) })
    source.push({ type: 'claims', claims: {} })
    await waitForFrame(r.lastFrame, (t) => /Overlays 2 · Claims none/.test(t), 3000, 'no AI line yet')
    source.push({
      type: 'ai',
      usage: usage([{ community_id: 'default', tokens: 1234, answers: 9, daily_token_cap: 100_000 }]),
    })
    await waitForFrame(
      r.lastFrame,
      (t) => /Overlays 2 · AI today 1,234 tok \(default 1,234\/100,000\) · Claims none/.test(t),
      3000,
      'AI line',
    )
    source.push({ type: 'ai', usage: null })
    await waitForFrame(r.lastFrame, (t) => /Overlays 2 · Claims none/.test(t), 3000, 'AI line gone')
  })

  test('a wide terminal: its own line under the overlays, claims still listed', async () => {
    const source = fakeSource()
    const r = renderSized(createElement(Dashboard, { source }), 140, 40)
    mounted.push(r)
    source.push({ type: 'stats', stats: statsFixture({ overlays: 0 }) })
    source.push({ type: 'claims', claims: { 'twitch-a': 5 } })
    source.push({
      type: 'ai',
      usage: usage([{ community_id: 'default', tokens: 77, answers: 1, daily_token_cap: 0 }]),
    })
    const text = await waitForFrame(r.lastFrame, (t) => t.includes('AI tokens today'), 3000, 'wide AI line')
    assert.match(text, /Overlays connected 0[^\n]*\n[^\n]*AI tokens today 77 tok \(default 77\)/)
    assert.match(plain(text), /twitch-a\s+5/)
  })
})
