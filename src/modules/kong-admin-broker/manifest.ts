/** How the kong-admin-broker describes itself to the catalog (src/modules/catalog.ts), without loading its code. */
import type { AnyModuleDefinition } from '../../runtime/module.js'
import type { ModuleManifest } from '../../runtime/registry.js'

export const manifest = {
  name: 'kong-admin-broker',
  kind: 'core',
  port: 8080,
  summary: 'Mirrors API keys into Kong consumers, key-auth credentials and ACL groups',
  load: async (): Promise<AnyModuleDefinition> => (await import('./index.js')).default,
} as const satisfies ModuleManifest
