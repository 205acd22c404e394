/**
 * The hub's first page in headless Chromium (Debian's, via playwright-core): time from navigation start until
 * the home page is interactive (React mounted, the page's own data fetched and shown), each run in a fresh
 * browser context (cold cache), the hub served in process on SQLite. Baseline, same run and browser: a static
 * HTML page with no script from a bare node:http server, to its load event. Also the gzipped size of the UI's
 * JavaScript (every file under hub/dist/assets/*.js).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { ensureHubBuilt } from '../hub/build.js'
import { builtinCatalog } from '../src/modules/catalog.js'
import { loadSettings } from '../src/runtime/config.js'
import { startRuntime } from '../src/runtime/host.js'
import { launchChromium } from '../test/browser/chromium.js'
import { freeOffset } from '../test/helpers/cli.js'
import { benchProject, percentile, round } from './lib/project.js'

export interface HubBenchResult {
  readonly interactive_ms: number
  readonly interactive_max_ms: number
  readonly baseline_ms: number
  readonly js_gzip_kb: number
  readonly runs: number
}

/** Page-side: resolves with performance.now() (ms since navigation start) once the home page shows its numbers. */
const WHEN_INTERACTIVE = `window.__interactive = new Promise((resolve) => {
  const check = () => {
    if (document.querySelector('main dl dd')) { observer.disconnect(); resolve(performance.now()) }
  }
  const observer = new MutationObserver(check)
  document.addEventListener('DOMContentLoaded', () => {
    observer.observe(document.body, { subtree: true, childList: true })
    check()
  })
})`

export function jsGzipKb(dist: string): number {
  const dir = join(dist, 'assets')
  let bytes = 0
  for (const f of readdirSync(dir))
    if (f.endsWith('.js')) bytes += gzipSync(readFileSync(join(dir, f)), { level: 9 }).length
  return round(bytes / 1024, 1)
}

export async function benchHub({ quick }: { quick: boolean }): Promise<HubBenchResult> {
  const dist = await ensureHubBuilt()
  const offset = await freeOffset([8060])
  const env = { WADDLEBOT_PORT_OFFSET: String(offset) }
  const project = benchProject(env)
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  const runtime = await startRuntime({ catalog: builtinCatalog, settings, modules: ['hub'] })
  const plain = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end('<!doctype html><html lang="en"><title>baseline</title><h1>Baseline</h1><p>A static page.</p></html>')
  })
  await new Promise<void>((done) => plain.listen(0, '127.0.0.1', done))
  const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`
  const browser = await launchChromium()
  const runs = quick ? 2 : 9
  try {
    const hubUrl = `${runtime.registry.urlOf('hub')}/`
    const times: number[] = []
    const base: number[] = []
    for (let i = 0; i <= runs; i++) {
      const context = await browser.newContext()
      const page = await context.newPage()
      await page.addInitScript(WHEN_INTERACTIVE)
      await page.goto(hubUrl)
      const t = (await page.evaluate('window.__interactive')) as number
      await context.close()
      const c2 = await browser.newContext()
      const p2 = await c2.newPage()
      await p2.goto(plainUrl, { waitUntil: 'load' })
      const b = (await p2.evaluate(
        '(() => { const n = performance.getEntriesByType("navigation")[0]; return n.loadEventEnd || performance.now() })()',
      )) as number
      await c2.close()
      if (i === 0) continue // warm-up: the browser's first page pays for its own start
      times.push(t)
      base.push(b)
    }
    return {
      interactive_ms: round(percentile(times, 50), 1),
      interactive_max_ms: round(Math.max(...times), 1),
      baseline_ms: round(percentile(base, 50), 1),
      js_gzip_kb: jsGzipKb(dist),
      runs,
    }
  } finally {
    await browser.close()
    plain.close()
    await runtime.stop()
    project.cleanup()
  }
}
