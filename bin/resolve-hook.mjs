// Lets project modules `import { defineModule } from 'waddlebot'` even where the package is not installed
// in the project's node_modules: the bare name resolves to this copy of waddlebot.
// Registered by the lean CLI (bin/lean.mjs) with `{ lib: true }`: the bare name then resolves to lib/, the
// compiled copy that process already runs, so a module and its host share one copy of every value.
let entry = new URL('../src/index.ts', import.meta.url).href
let testing = new URL('../src/testing/index.ts', import.meta.url).href

export function initialize(data) {
  if (data?.lib) {
    entry = new URL('../lib/index.js', import.meta.url).href
    testing = new URL('../lib/testing/index.js', import.meta.url).href
  }
}
const RELOAD = /[?&](wb-reload=\d+)/

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'waddlebot') return nextResolve(entry, context)
  if (specifier === 'waddlebot/testing') return nextResolve(testing, context)
  const resolved = await nextResolve(specifier, context)
  // A module reloaded by `waddlebot dev` is imported as index.ts?wb-reload=N: its own files (relative
  // imports outside node_modules) get the same query, so they are read again too.
  const reload = context.parentURL && RELOAD.exec(context.parentURL)
  if (
    reload &&
    specifier.startsWith('.') &&
    resolved.url.startsWith('file:') &&
    !resolved.url.includes('/node_modules/')
  )
    return { ...resolved, url: `${resolved.url.split('?')[0]}?${reload[1]}` }
  return resolved
}
