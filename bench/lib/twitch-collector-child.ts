/**
 * A router + Twitch collector in a process of its own, for `twitch_rss_per_1k_channels_mb`: the parent runs
 * the fake Twitch servers and passes their URLs in the env, so this process's RSS is the bot's alone.
 * Messages from the parent: `measure` (answers `{memory}` once the process is at rest), `stop`.
 *
 * At rest means: the EventSub subscriptions are made, and a full collection has left the heap committed within
 * 12 MB of the heap in use: V8's memory reducer has given back the heap that joining grew (it runs on its own, a
 * few seconds to a minute after allocation slows). No forced GC: forced full collections keep the memory reducer from running,
 * and the young generation that joining grew to 32 MB then stays. The RSS is read 2 s after, over 2 s.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { CollectorState } from '../../src/collectors/core/collector-module.js'
import twitchModule from '../../src/collectors/twitch/index.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { loadSettings } from '../../src/runtime/config.js'
import { startRuntime } from '../../src/runtime/host.js'

export interface ChildMemory {
  readonly rss_mb: number
  readonly heap_used_mb: number
  readonly heap_total_mb: number
  /** False when the heap was not given back within the time allowed (the figure is then an upper bound). */
  readonly at_rest: boolean
  /** From `measure` to the reading. */
  readonly waited_ms: number
}

const REST_LIMIT_MS = Number(process.env.WB_REST_LIMIT_MS ?? 120_000)
const dir = mkdtempSync(join(tmpdir(), 'wb-bench-twitch-'))
const runtime = await startRuntime({
  catalog: builtinCatalog,
  settings: loadSettings({ cwd: dir, env: process.env }),
  modules: ['router', 'twitch'],
})
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10

const QUICK = process.env.WB_REST_QUICK === '1'

async function measure(): Promise<ChildMemory> {
  const started = Date.now()
  const state = runtime.module(twitchModule).ctx.state as CollectorState<
    unknown,
    { eventSub?: { settled(): Promise<void> } }
  >
  await state.platform?.eventSub?.settled()
  const atRest = await new Promise<boolean>((resolve) => {
    // After a full collection, the heap committed is within 12 MB of the heap in use: V8 gave back what it grew.
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind
        if (kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue
        const { heapTotal, heapUsed } = process.memoryUsage()
        if (heapTotal - heapUsed > 12 * 2 ** 20) continue
        done(true)
      }
    })
    const timer = setTimeout(() => done(false), Math.max(0, REST_LIMIT_MS - (Date.now() - started)))
    const done = (rest: boolean) => {
      observer.disconnect()
      clearTimeout(timer)
      resolve(rest)
    }
    observer.observe({ entryTypes: ['gc'] })
  })
  // Then the median of five readings over 2.5 s (under --quick, 0.5 s later, three over 0.3 s).
  await sleep(QUICK ? 500 : 2000)
  const rss: number[] = []
  for (let i = 0; i < (QUICK ? 3 : 5); i++) {
    rss.push(process.memoryUsage().rss)
    await sleep(QUICK ? 100 : 500)
  }
  rss.sort((a, b) => a - b)
  const m = process.memoryUsage()
  return {
    rss_mb: mb(rss[Math.floor(rss.length / 2)]!),
    heap_used_mb: mb(m.heapUsed),
    heap_total_mb: mb(m.heapTotal),
    at_rest: atRest,
    waited_ms: Date.now() - started,
  }
}

process.on('message', (message) => {
  if (message === 'measure') void measure().then((memory) => process.send?.({ memory }))
  if (message === 'stop')
    void runtime.stop().finally(() => {
      rmSync(dir, { recursive: true, force: true })
      process.exit(0)
    })
})
process.send?.({ ready: true })
