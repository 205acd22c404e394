/** The CLI's view of the modules: the built-in catalog plus the project's own modules. */
import { builtinCatalog } from '../modules/catalog.js'
import type { Settings } from '../runtime/config.js'
import { createRegistry, type Registry } from '../runtime/registry.js'

export { builtinCatalog }

/** The registry of this project: built-in modules (src/modules/catalog.ts) and `modules.<name>.path` ones. */
export function projectRegistry(settings: Settings): Registry {
  return createRegistry(settings, builtinCatalog)
}
