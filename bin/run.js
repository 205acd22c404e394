#!/usr/bin/env node
// `start` and `run` of built-in modules run from the precompiled lib/ (bin/lean.mjs). Everything else runs
// the TypeScript sources directly (no build step): tsx is registered first.
import { register as registerHook } from 'node:module'
import { fileURLToPath } from 'node:url'
import { runLeanCommand } from './lean.mjs'
import { ensureManifest } from './manifest.mjs'

if (!(await runLeanCommand(process.argv.slice(2)))) {
  const { register } = await import('tsx/esm/api')
  register()
  registerHook('./resolve-hook.mjs', import.meta.url)
  await ensureManifest(fileURLToPath(new URL('..', import.meta.url)))
  const { execute } = await import('@oclif/core')
  await execute({ dir: import.meta.url })
}
