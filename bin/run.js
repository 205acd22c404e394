#!/usr/bin/env node
// waddlebot runs its TypeScript sources directly (no build step): tsx is registered first.
import { register as registerHook } from 'node:module'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'
import { ensureManifest } from './manifest.mjs'

register()
registerHook('./resolve-hook.mjs', import.meta.url)
await ensureManifest(fileURLToPath(new URL('..', import.meta.url)))
const { execute } = await import('@oclif/core')
await execute({ dir: import.meta.url })
