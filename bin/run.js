#!/usr/bin/env node
// waddlebot runs its TypeScript sources directly (no build step): tsx is registered first.
import { register } from 'tsx/esm/api'

register()
const { execute } = await import('@oclif/core')
await execute({ dir: import.meta.url })
