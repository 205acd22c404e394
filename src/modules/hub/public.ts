/**
 * What the CLI and other modules may use of the hub: the tables it needs (its own and identity's), the first
 * platform admin, one-time passwords (`waddlebot hub temp-password`, `!community portal login`).
 */
import { WaddleError } from '../../runtime/errors.js'
import { migrateDatabase } from '../../runtime/database.js'
import type { Settings } from '../../runtime/config.js'
import type { Queryable, Storage } from '../../runtime/storage/types.js'
import { identityMigrations } from '../identity/public.js'
import { hubConfigSchema } from './config.js'
import { hubMigrations } from './migrations.js'
import { grantPlatformAdmin } from './routes/platform.js'
import { type IssuedPassword, issueTempPassword } from './temp-passwords.js'
import { findOrCreateHubUser, findUser } from './users.js'

export { hubMigrations } from './migrations.js'

/** Applies the identity and hub tables (the core ones are applied by openStorage). */
export async function migrateHubTables(storage: Storage): Promise<void> {
  await migrateDatabase(storage, [
    { module: 'identity', migrations: identityMigrations },
    { module: 'hub', migrations: hubMigrations },
  ])
}

/** The temp-password lifetime configured for the hub (`modules.hub.temp_password_ttl_minutes`). */
export function tempPasswordTtlMs(settings: Settings): number {
  const parsed = hubConfigSchema.safeParse(settings.modules.hub ?? {})
  return (parsed.success ? parsed.data.temp_password_ttl_minutes : 15) * 60_000
}

/** `hub admin create <user>`: makes the user (a new hub-only account for a bare name) a platform admin. */
export async function createPlatformAdmin(
  db: Storage,
  spec: string,
  ttlMs: number,
  now: number = Date.now(),
): Promise<{ user_id: string } & IssuedPassword> {
  const userId = await findOrCreateHubUser(db, spec, now)
  await grantPlatformAdmin(db, userId, 'cli', now)
  return { user_id: userId, ...(await issueTempPassword(db, userId, 'cli', ttlMs, now)) }
}

/** A one-time password for an existing user (`platform:user_name`, `idn_…`, or a hub-only name). */
export async function tempPasswordFor(
  db: Queryable,
  spec: string,
  createdBy: string,
  ttlMs: number,
  now: number = Date.now(),
): Promise<{ user_id: string } & IssuedPassword> {
  const userId = await findUser(db, spec)
  if (!userId) throw new WaddleError('WB_HUB_USER_UNKNOWN', { user: spec })
  return { user_id: userId, ...(await issueTempPassword(db, userId, createdBy, ttlMs, now)) }
}

/** The same for a chat account, by its identity (the router fills `identity_id`). */
export async function tempPasswordForIdentity(
  db: Queryable,
  identityId: string,
  createdBy: string,
  ttlMs: number,
  now: number = Date.now(),
): Promise<IssuedPassword> {
  return issueTempPassword(db, identityId, createdBy, ttlMs, now)
}
