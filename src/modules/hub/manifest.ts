/** How the hub describes itself to the catalog (src/modules/catalog.ts), without loading its code. */
import type { AnyModuleDefinition } from '../../runtime/module.js'
import type { ModuleManifest } from '../../runtime/registry.js'

export const manifest = {
  name: 'hub',
  kind: 'hub',
  port: 8060,
  summary: 'Web UI: portal, dashboards, admin',
  load: async (): Promise<AnyModuleDefinition> => (await import('./index.js')).default,
} as const satisfies ModuleManifest
