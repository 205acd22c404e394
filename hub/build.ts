/**
 * Builds the hub's web UI (hub/src, React + Tailwind) into hub/dist with Vite's JS API. There is no manual build
 * step: `npm install` / `npm ci` runs it (the `prepare` script), and the hub server calls ensureHubBuilt() before
 * serving, which builds only when dist is missing or was built from other sources (a hash of hub/src, index.html
 * and this file, kept in dist/.source-hash). Concurrent callers (several servers or test files at once) each build
 * into a private folder and the first rename wins, so nobody ever serves a half-written dist.
 *
 * Run directly: `node --import tsx hub/build.ts [--force]`.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { InlineConfig } from 'vite'

/** Absolute path of the hub UI sources folder (hub/). */
export const HUB_ROOT = fileURLToPath(new URL('.', import.meta.url))
/** Where the built UI lives; the server serves this folder. */
export const HUB_DIST = join(HUB_ROOT, 'dist')
const HASH_FILE = '.source-hash'

function sourceFiles(): string[] {
  const out: string[] = [join(HUB_ROOT, 'index.html'), fileURLToPath(import.meta.url)]
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(p)
    }
  }
  walk(join(HUB_ROOT, 'src'))
  return out
}

/** A hash of everything the build reads from hub/ (file names and contents). */
export function sourceHash(): string {
  const h = createHash('sha256')
  for (const f of sourceFiles()) h.update(relative(HUB_ROOT, f)).update('\0').update(readFileSync(f)).update('\0')
  return h.digest('hex').slice(0, 32)
}

/** True when hub/dist holds a build of the current sources. */
export function hubBuildFresh(dist = HUB_DIST): boolean {
  const stamp = join(dist, HASH_FILE)
  return existsSync(join(dist, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === sourceHash()
}

/** The whole Vite configuration (there is no other config file: hub/vite.config.ts uses this too). */
export async function hubViteConfig(outDir: string): Promise<InlineConfig> {
  const [{ default: react }, { default: tailwind }] = await Promise.all([
    import('@vitejs/plugin-react'),
    import('@tailwindcss/vite'),
  ])
  return {
    configFile: false,
    root: HUB_ROOT,
    base: '/',
    logLevel: 'warn',
    plugins: [react(), tailwind()],
    // `npx vite` in hub/ (development): the API of a running hub.
    server: { proxy: { '/api': process.env.WADDLEBOT_HUB_URL ?? 'http://127.0.0.1:8060' } },
    build: {
      outDir,
      emptyOutDir: true,
      // No inline scripts or styles in the output: the page runs under a strict CSP.
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      cssCodeSplit: false,
      sourcemap: false,
      target: 'es2022',
    },
  }
}

/** Runs vite build into `outDir`, then records the hash of the sources it was built from. */
export async function buildHub(outDir: string): Promise<void> {
  const hash = sourceHash()
  const { build } = await import('vite')
  await build(await hubViteConfig(outDir))
  writeFileSync(join(outDir, HASH_FILE), hash)
}

let pending: Promise<string> | undefined

/** Makes sure hub/dist is a build of the current sources (building it if not) and returns its path. */
export function ensureHubBuilt(options: { force?: boolean } = {}): Promise<string> {
  if (!options.force && hubBuildFresh()) return Promise.resolve(HUB_DIST)
  pending ??= (async () => {
    const tmp = join(HUB_ROOT, `.dist-${process.pid}-${Date.now()}`)
    try {
      await buildHub(tmp)
      if (!options.force && hubBuildFresh()) return HUB_DIST // someone else finished first
      const old = join(HUB_ROOT, `.dist-old-${process.pid}-${Date.now()}`)
      if (existsSync(HUB_DIST)) renameSync(HUB_DIST, old)
      try {
        renameSync(tmp, HUB_DIST)
      } catch (error) {
        if (!hubBuildFresh()) throw error
      }
      rmSync(old, { recursive: true, force: true })
      return HUB_DIST
    } finally {
      rmSync(tmp, { recursive: true, force: true })
      pending = undefined
    }
  })()
  return pending
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force')
  const t = performance.now()
  const fresh = !force && hubBuildFresh()
  await ensureHubBuilt({ force })
  // stderr: `npm pack --json` runs this (prepare) and its stdout must stay JSON.
  process.stderr.write(
    fresh ? `hub: ${HUB_DIST} is up to date\n` : `hub: built ${HUB_DIST} in ${Math.round(performance.now() - t)} ms\n`,
  )
}
