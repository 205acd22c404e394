// Lets project modules `import { defineModule } from 'waddlebot'` even where the package is not installed
// in the project's node_modules: the bare name resolves to this copy of waddlebot's sources.
const entry = new URL('../src/index.ts', import.meta.url).href

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'waddlebot') return nextResolve(entry, context)
  return nextResolve(specifier, context)
}
