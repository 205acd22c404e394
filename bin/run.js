#!/usr/bin/env node
// waddlebot runs the precompiled lib/ with plain node when it can (bin/lean.mjs; `npm install` builds it and
// it is rebuilt here when src/ is newer), else its TypeScript sources through tsx (no build step).
import { register as registerHook } from 'node:module'
import { fileURLToPath } from 'node:url'
import { ensureLibManifest, installProjectLoader, leanReady, libOclifOptions, runLeanCommand } from './lean.mjs'
import { ensureManifest } from './manifest.mjs'

const argv = process.argv.slice(2)
if (await leanReady()) {
  installProjectLoader()
  if (!(await runLeanCommand(argv))) {
    const options = libOclifOptions()
    await ensureLibManifest(options)
    const { execute, settings } = await import('@oclif/core')
    settings.enableAutoTranspile = false
    await execute({ dir: import.meta.url, loadOptions: options })
  }
} else {
  const { register } = await import('tsx/esm/api')
  register()
  registerHook('./resolve-hook.mjs', import.meta.url)
  await ensureManifest(fileURLToPath(new URL('..', import.meta.url)))
  const { execute } = await import('@oclif/core')
  await execute({ dir: import.meta.url })
}
