// Precompiled JavaScript of src/ in lib/ (git-ignored): every src/**/*.ts(x) except tests and fixtures,
// transpiled one file at a time by esbuild (no bundling, ESM, node20), and every other file of src/ copied
// as it is (the execution log's worker script). lib/ sits at the same depth as src/, so paths that src
// builds from import.meta.url (`../../templates/`) resolve the same from lib/, and the `.js` specifiers of
// src's imports need no rewriting.
//
// `waddlebot up` starts the children that host built-in modules from lib/ with plain `node`: no tsx, so no
// module-hooks thread (on Node 20 every hooks registration runs its own V8 isolate, ≈ 39 MB per process).
// `npm ci` / `npm install` build lib/ (the `prepare` script); `up` rebuilds it when a file under src/ (or
// this script, tsconfig.json, package.json) is newer than lib/.stamp; a child is only started from lib/
// while lib/ is fresh. A read-only install that cannot write lib/ keeps running everything through tsx.
//
// Run directly: `node bin/build-lib.mjs [--force]`.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { newestMtime } from './mtime.mjs'

/** The repository (package) root: bin/'s parent. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url))
const STAMP = '.stamp'
/** Besides src/, what the output depends on. */
const INPUTS = ['bin/build-lib.mjs', 'tsconfig.json', 'package.json']

const isTest = (name) => /\.(test|fixture)\.tsx?$/.test(name)
const isSource = (name) => /\.tsx?$/.test(name) && !name.endsWith('.d.ts')

/** True when `root`/lib was built after the last change to src/ and the build's other inputs (a stat walk). */
export function libIsFresh(root = ROOT) {
  try {
    const built = statSync(join(root, 'lib', STAMP)).mtimeMs
    return built >= newestMtime(join(root, 'src')) && INPUTS.every((f) => built >= statSync(join(root, f)).mtimeMs)
  } catch {
    return false
  }
}

function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) walk(path, out)
    else out.push(path)
  }
  return out
}

/** Builds `root`/src into `outDir` (which must not exist yet); resolves with the number of files written. */
export async function buildLib(root, outDir) {
  const src = join(root, 'src')
  const started = Date.now()
  const files = walk(src).filter((f) => !isTest(f))
  const sources = files.filter((f) => isSource(f))
  const esbuild = await import('esbuild')
  await esbuild
    .build({
      entryPoints: sources,
      outbase: src,
      outdir: outDir,
      bundle: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked', // a comment per file; Node reads the maps only under --enable-source-maps
      tsconfig: join(root, 'tsconfig.json'),
      logLevel: 'silent',
    })
    .finally(() => esbuild.stop()) // its service process would otherwise live (≈ 100 MB) as long as this one
  for (const f of files.filter((f) => !isSource(f))) {
    const to = join(outDir, relative(src, f))
    mkdirSync(dirname(to), { recursive: true })
    copyFileSync(f, to)
  }
  // The stamp carries the time the build started: a source saved during the build makes lib/ stale at once.
  const stamp = join(outDir, STAMP)
  writeFileSync(stamp, `${JSON.stringify({ files: files.length, node: process.version })}\n`)
  utimesSync(stamp, new Date(started), new Date(started))
  return files.length
}

let pending

/**
 * Makes sure `root`/lib is a build of the current sources, building it when stale. Resolves with
 * `{ ok: true, built }`, or `{ ok: false, reason }` when lib/ could not be built or written (a read-only
 * install, esbuild missing): the caller then runs the sources through tsx. Never throws.
 */
export function ensureLib(root = ROOT, options = {}) {
  if (!options.force && libIsFresh(root)) return Promise.resolve({ ok: true, built: false })
  pending ??= (async () => {
    // Built beside lib/ and swapped in by rename, so a process starting meanwhile never loads half a build.
    const tmp = join(root, `.lib-${process.pid}-${Date.now()}`)
    const old = join(root, `.lib-old-${process.pid}-${Date.now()}`)
    const lib = join(root, 'lib')
    try {
      await buildLib(root, tmp)
      if (!options.force && libIsFresh(root)) return { ok: true, built: false } // someone else finished first
      if (existsSync(lib)) renameSync(lib, old)
      try {
        renameSync(tmp, lib)
      } catch (error) {
        if (!libIsFresh(root)) throw error
      }
      return { ok: true, built: true }
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message.split('\n')[0] : String(error) }
    } finally {
      rmSync(tmp, { recursive: true, force: true })
      rmSync(old, { recursive: true, force: true })
      pending = undefined
    }
  })()
  return pending
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force')
  const started = Date.now()
  const result = await ensureLib(ROOT, { force })
  const lib = join(ROOT, 'lib')
  // stderr: `npm pack --json` runs this (prepare) and its stdout must stay JSON.
  if (!result.ok) {
    process.stderr.write(`lib: could not build ${lib}: ${result.reason}\n`)
    process.exitCode = 1
  } else
    process.stderr.write(
      result.built ? `lib: built ${lib} in ${Date.now() - started} ms\n` : `lib: ${lib} is up to date\n`,
    )
}
