/** How the spotify module describes itself to the catalog (src/modules/catalog.ts), without loading its code. */
import type { AnyModuleDefinition } from '../../runtime/module.js'
import type { ModuleManifest } from '../../runtime/registry.js'

export const manifest = {
  name: 'spotify',
  kind: 'interaction',
  port: 8026,
  summary: 'Spotify playback and requests',
  load: async (): Promise<AnyModuleDefinition> => (await import('./index.js')).default,
} as const satisfies ModuleManifest
