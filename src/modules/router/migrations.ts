/** Every table of the router: coordination and the spam filters (the core tables are the runtime's). */
import type { Migration } from '../../runtime/storage/types.js'
import { coordinationMigrations } from './coordination/migrations.js'
import { filterMigrations } from './filters/store.js'

export const routerMigrations: readonly Migration[] = [...coordinationMigrations, ...filterMigrations]
