#!/usr/bin/env node
// waddlebot runs its TypeScript sources directly (no build step): tsx is registered first.
import { register as registerHook } from 'node:module'
import { register } from 'tsx/esm/api'

register()
registerHook('./resolve-hook.mjs', import.meta.url)
const { execute } = await import('@oclif/core')
await execute({ dir: import.meta.url })
