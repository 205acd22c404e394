/**
 * Router migrations for coordination (module `router`). The `coordination` table itself is core
 * (core-migrations.ts); this adds the index a claim walks: one platform's rows, live first, by priority.
 */
import type { Migration } from '../../../runtime/storage/types.js'

export const coordinationMigrations: Migration[] = [
  {
    id: '0101_coordination_platform_index',
    sql: 'create index if not exists coordination_platform on coordination (platform, is_live, priority)',
  },
]
