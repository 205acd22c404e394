/** How the calendar module describes itself to the catalog (src/modules/catalog.ts), without loading its code. */
import type { AnyModuleDefinition } from '../../runtime/module.js'
import type { ModuleManifest } from '../../runtime/registry.js'

export const manifest = {
  name: 'calendar',
  kind: 'interaction',
  port: 8030,
  summary: 'Community events: approval, capacity with a waitlist, recurrence, iCalendar feed',
  load: async (): Promise<AnyModuleDefinition> => (await import('./index.js')).default,
} as const satisfies ModuleManifest
