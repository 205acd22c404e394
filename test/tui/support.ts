/** Shared by the dashboard tests: a fake data source, a stats fixture, and frame polling. */
import { EventEmitter } from 'node:events'
import { render as inkRender } from 'ink'
import type { ReactElement } from 'react'
import type { ModuleStats, RouterStats } from '../../src/cli/monitor-client.js'
import type { DashboardSource } from '../../src/tui/source.js'
import type { SourceEvent } from '../../src/tui/state.js'

/** A source the test drives by hand: push() delivers an event to the mounted dashboard. */
export interface FakeSource extends DashboardSource {
  push(event: SourceEvent): void
  readonly started: number
  readonly stopped: number
}

export function fakeSource(url = 'http://127.0.0.1:18000'): FakeSource {
  let emit: ((e: SourceEvent) => void) | undefined
  let started = 0
  let stopped = 0
  return {
    url,
    get started() {
      return started
    },
    get stopped() {
      return stopped
    },
    start(e) {
      started++
      emit = e
      return () => {
        stopped++
        emit = undefined
      }
    },
    push(event) {
      if (!emit) throw new Error('the dashboard is not subscribed')
      emit(event)
    },
  }
}

export function moduleRow(name: string, extra: Partial<ModuleStats> = {}): ModuleStats {
  return {
    name,
    port: 8000,
    url: `http://127.0.0.1:8000`,
    status: 'ok',
    in_process: false,
    replicas: null,
    changed_at: 0,
    p50_ms: null,
    p99_ms: null,
    events: 0,
    errors: 0,
    ...extra,
  }
}

export function statsFixture(extra: Partial<RouterStats> = {}): RouterStats {
  const per = Array.from({ length: 60 }, () => 0)
  return {
    now: Date.now(),
    started_at: Date.now() - 3720_000,
    uptime_s: 3720,
    events_total: 0,
    errors_total: 0,
    events_per_s: 0,
    per_second: per,
    events_last_minute: 0,
    errors_last_minute: 0,
    outcomes: {},
    p50_ms: null,
    p99_ms: null,
    overlays: null,
    modules: [moduleRow('router', { in_process: true })],
    ...extra,
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g

/** The last frame without colour codes. */
export function plain(frame: string | undefined): string {
  return (frame ?? '').replace(ANSI, '')
}

/** Polls `frame()` until `check` holds; fails with the last frame after `timeoutMs`. */
export async function waitForFrame(
  frame: () => string | undefined,
  check: (text: string) => boolean,
  timeoutMs = 3000,
  what = 'frame',
): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let text = plain(frame())
  while (!check(text)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${text}`)
    await new Promise((r) => setTimeout(r, 15))
    text = plain(frame())
  }
  return text
}

export const tick = () => new Promise((r) => setTimeout(r, 30))

/** A terminal of the given size for ink (ink-testing-library's is fixed at 100 columns). */
class FakeTty extends EventEmitter {
  readonly frames: string[] = []
  isTTY = true
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super()
  }
  write = (frame: string) => {
    this.frames.push(frame)
    return true
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true
  #data: string | null = null
  write(data: string) {
    this.#data = data
    this.emit('readable')
    this.emit('data', data)
  }
  read() {
    const d = this.#data
    this.#data = null
    return d
  }
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

/** Renders `tree` on a columns × rows terminal; `lastFrame()` is the latest full frame. */
export function renderSized(tree: ReactElement, columns: number, rows: number) {
  const stdout = new FakeTty(columns, rows)
  const stdin = new FakeStdin()
  const instance = inkRender(tree, {
    stdout: stdout as never,
    stderr: new FakeTty(columns, rows) as never,
    stdin: stdin as never,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  })
  return {
    stdin,
    stdout,
    lastFrame: () => stdout.frames.at(-1),
    unmount: () => instance.unmount(),
    cleanup: () => instance.cleanup(),
  }
}
