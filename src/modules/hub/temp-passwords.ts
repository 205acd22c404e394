/**
 * One-time passwords (`waddlebot hub temp-password <user>`, `!community portal login`): 128 random bits shown
 * once, stored as a SHA-256 hash, valid `temp_password_ttl_minutes`, consumed by one atomic update (two logins
 * racing with the same password: exactly one wins). Issuing a new one cancels the user's unused ones.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

const hash = (password: string) => createHash('sha256').update(password).digest('hex')

export interface IssuedPassword {
  readonly password: string
  readonly expires_at: number
}

export async function issueTempPassword(
  db: Queryable,
  userId: string,
  createdBy: string,
  ttlMs: number,
  now: number = Date.now(),
): Promise<IssuedPassword> {
  const password = randomBytes(16).toString('base64url')
  await db.execute(sql`update hub_temp_passwords set used_at = ${now} where user_id = ${userId} and used_at is null`)
  await db.execute(sql`insert into hub_temp_passwords (id, user_id, password_hash, created_by, created_at, expires_at)
    values (${randomUUID()}, ${userId}, ${hash(password)}, ${createdBy}, ${now}, ${now + ttlMs})`)
  return { password, expires_at: now + ttlMs }
}

/** True when `password` was a live one-time password of `userId`; it is used up either way. */
export async function consumeTempPassword(
  db: Queryable,
  userId: string,
  password: string,
  now: number = Date.now(),
): Promise<boolean> {
  const res = await db.execute(sql`update hub_temp_passwords set used_at = ${now}
    where user_id = ${userId} and password_hash = ${hash(password)} and used_at is null and expires_at > ${now}`)
  return res.changes === 1
}
