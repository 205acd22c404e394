/**
 * A person's API keys for the hub and scripts: `wbot_user_<43 url-safe chars>`, shown once, stored as a
 * SHA-256 hash, at most `max_api_keys` active per identity, each with an expiry and revocable.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { WaddleError } from '../../runtime/errors.js'
import type { KeyMirror } from '../../runtime/kong-outbox.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'

export const USER_KEY_PREFIX = 'wbot_user_'

export interface UserKeyInfo {
  id: string
  identity_id: string
  name: string
  key_prefix: string
  created_at: number
  expires_at: number | null
  last_used_at: number | null
  revoked_at: number | null
}

const hash = (key: string) => createHash('sha256').update(key).digest('hex')
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))
const info = (r: UserKeyInfo): UserKeyInfo => ({
  ...r,
  created_at: Number(r.created_at),
  expires_at: num(r.expires_at),
  last_used_at: num(r.last_used_at),
  revoked_at: num(r.revoked_at),
})

export class UserKeys {
  constructor(
    private readonly db: Storage,
    private readonly limits: { max: number; days: number },
    private readonly now: () => number,
    /** Kong mirroring (docs/kong.md): seals each new key for the kong-admin-broker, wakes it on revoke. */
    private readonly mirror?: KeyMirror,
  ) {}

  /** Creates a key (the plaintext is returned once); WB_IDENTITY_KEY_LIMIT past the limit. */
  async create(identityId: string, name: string, days = this.limits.days): Promise<UserKeyInfo & { key: string }> {
    const t = this.now()
    const key = `${USER_KEY_PREFIX}${randomBytes(32).toString('base64url')}`
    const row: UserKeyInfo = {
      id: randomUUID().slice(0, 12),
      identity_id: identityId,
      name,
      key_prefix: key.slice(0, USER_KEY_PREFIX.length + 6),
      created_at: t,
      expires_at: t + days * 86_400_000,
      last_used_at: null,
      revoked_at: null,
    }
    await this.db.transaction(async (tx) => {
      const active = await tx.one<{ n: number | string }>(sql`select count(*) as n from user_api_keys
        where identity_id = ${identityId} and revoked_at is null and (expires_at is null or expires_at > ${t})`)
      if (Number(active?.n ?? 0) >= this.limits.max)
        throw new WaddleError('WB_IDENTITY_KEY_LIMIT', { identity: identityId, limit: this.limits.max })
      await tx.execute(sql`insert into user_api_keys (id, identity_id, name, key_hash, key_prefix, created_at, expires_at)
        values (${row.id}, ${identityId}, ${name}, ${hash(key)}, ${row.key_prefix}, ${t}, ${row.expires_at})`)
      await this.mirror?.record(tx, 'user', row.id, key)
    })
    await this.mirror?.notify()
    return { ...row, key }
  }

  async list(identityId: string): Promise<UserKeyInfo[]> {
    const rows = await this.db.query<UserKeyInfo>(sql`select id, identity_id, name, key_prefix, created_at, expires_at,
      last_used_at, revoked_at from user_api_keys where identity_id = ${identityId} order by created_at`)
    return rows.map(info)
  }

  /** Revokes a key; false when there is no such active key. */
  async revoke(id: string): Promise<boolean> {
    const r = await this.db.execute(
      sql`update user_api_keys set revoked_at = ${this.now()} where id = ${id} and revoked_at is null`,
    )
    if (r.changes > 0) await this.mirror?.notify()
    return r.changes > 0
  }

  /** The identity a key belongs to, when it is valid (not revoked, not expired); notes its use. */
  async verify(key: string): Promise<{ identity_id: string; key_id: string } | undefined> {
    if (!key.startsWith(USER_KEY_PREFIX)) return undefined
    const t = this.now()
    const row = await this.db.one<{ id: string; identity_id: string }>(sql`select id, identity_id from user_api_keys
      where key_hash = ${hash(key)} and revoked_at is null and (expires_at is null or expires_at > ${t})`)
    if (!row) return undefined
    await this.db.execute(sql`update user_api_keys set last_used_at = ${t} where id = ${row.id}`)
    return { identity_id: row.identity_id, key_id: row.id }
  }
}
