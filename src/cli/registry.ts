/** The CLI's view of the modules: the built-in catalog plus the project's own modules. */
import { builtinCatalog } from '../modules/catalog.js'
import type { Settings } from '../runtime/config.js'
import { WaddleError } from '../runtime/errors.js'
import { createRegistry, type Registry } from '../runtime/registry.js'

export { builtinCatalog }

/** The registry of this project: built-in modules (src/modules/catalog.ts) and `modules.<name>.path` ones. */
export function projectRegistry(settings: Settings): Registry {
  return createRegistry(settings, builtinCatalog)
}

/**
 * The modules `waddlebot run <names>` hosts: the names once each (the word `collector` before a platform is
 * ignored), every one known and available, or the one-line error of the first that is not.
 */
export function runnableModules(registry: Registry, argv: readonly string[]): string[] {
  const names = [...new Set(argv.filter((a) => a !== 'collector'))]
  if (names.length === 0)
    throw new WaddleError('WB_INPUT_INVALID', { field: 'modules', reason: 'name at least one module' })
  for (const name of names) {
    const entry = registry.get(name)
    if (!entry) throw new WaddleError('WB_MODULE_UNKNOWN', { module: name })
    if (!entry.available) throw new WaddleError('WB_MODULE_NOT_AVAILABLE', { module: name })
  }
  return names
}
