/** How the alias module describes itself to the catalog (src/modules/catalog.ts), without loading its code. */
import type { AnyModuleDefinition } from '../../runtime/module.js'
import type { ModuleManifest } from '../../runtime/registry.js'

export const manifest = {
  name: 'alias',
  kind: 'interaction',
  port: 8010,
  summary: 'Custom commands with variables, counters and cooldowns',
  load: async (): Promise<AnyModuleDefinition> => (await import('./index.js')).default,
} as const satisfies ModuleManifest
