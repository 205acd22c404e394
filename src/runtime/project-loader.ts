/**
 * Project modules are TypeScript, run as they are. The CLI started through tsx (bin/run.js's oclif path,
 * tests under `node --import tsx`) can import them at once; the lean CLI, which runs the precompiled lib/
 * with plain node, registers tsx (and the resolve hook for `'waddlebot'` and reloads) only when it first
 * imports one: bin/lean.mjs leaves the registration under this symbol. Elsewhere this does nothing.
 */
const INSTALL = Symbol.for('waddlebot.projectLoader')

/** Makes sure project modules (TypeScript, `import … from 'waddlebot'`) can be imported in this process. */
export async function ensureProjectLoader(): Promise<void> {
  const install = (globalThis as Record<symbol, unknown>)[INSTALL]
  if (typeof install === 'function') await (install as () => Promise<void>)()
}
