/** How the inventory module describes itself to the catalog (src/modules/catalog.ts), without loading its code. */
import type { AnyModuleDefinition } from '../../runtime/module.js'
import type { ModuleManifest } from '../../runtime/registry.js'

export const manifest = {
  name: 'inventory',
  kind: 'interaction',
  port: 8024,
  summary: 'Item tracking: check items out and in, labels, activity log',
  load: async (): Promise<AnyModuleDefinition> => (await import('./index.js')).default,
} as const satisfies ModuleManifest
