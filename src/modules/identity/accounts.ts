/** Reads and moves the accounts of identities (identity_links). */
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

export interface Account {
  readonly platform: string
  readonly platform_user_id: string
  readonly identity_id: string
  readonly user_name: string
  readonly display_name: string | null
}

/** Every account of an identity, by platform then name. */
export function accountsOf(db: Queryable, identityId: string): Promise<Account[]> {
  return db.query<Account>(sql`select platform, platform_user_id, identity_id, user_name, display_name
    from identity_links where identity_id = ${identityId} order by platform, user_name`)
}

/** The account a login names on a platform (the one seen last, should two ever share it after renames). */
export function accountByName(db: Queryable, platform: string, userName: string): Promise<Account | undefined> {
  return db.one<Account>(sql`select platform, platform_user_id, identity_id, user_name, display_name
    from identity_links where platform = ${platform} and user_name = ${userName.toLowerCase().replace(/^@/, '')}
    order by last_seen_at desc limit 1`)
}

export function accountById(db: Queryable, platform: string, userId: string): Promise<Account | undefined> {
  return db.one<Account>(sql`select platform, platform_user_id, identity_id, user_name, display_name
    from identity_links where platform = ${platform} and platform_user_id = ${userId}`)
}

/** How an account is shown: `Ann (twitch)`. */
export const label = (a: Pick<Account, 'platform' | 'user_name' | 'display_name'>): string =>
  `${a.display_name ?? a.user_name} (${a.platform})`
