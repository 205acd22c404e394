/** The migration sets of the deployment: the core tables plus each runnable module's own. */
import type { Settings } from '../runtime/config.js'
import { projectRegistry } from './registry.js'
import { coreMigrations } from '../runtime/storage/core-migrations.js'
import type { MigrationSet } from '../runtime/storage/types.js'

export async function deploymentMigrations(settings: Settings): Promise<MigrationSet[]> {
  const defs = await Promise.all(
    projectRegistry(settings)
      .runnable()
      .map((e) => e.load()),
  )
  return [
    coreMigrations,
    ...defs.filter((d) => d.migrations?.length).map((d) => ({ module: d.name, migrations: d.migrations! })),
  ]
}
