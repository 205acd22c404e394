/**
 * Admin-issued Spotify login links: `waddlebot spotify login` (or `!spotify login` from an admin in chat)
 * stores a random link id with its community and expiry and prints `…/spotify/auth/login?link=<id>.<expires>.<sig>`,
 * where `sig` is an HMAC-SHA256 (key derived from the token key) over id, community and expiry. The login
 * route accepts a link only if its signature is right, it has not expired and its row still exists; the row
 * is deleted on use, so a link works once. Without a link nothing is stored: the OAuth `state` rows exist
 * only for redeemed links, so they are bounded by what admins issue (and expired rows are purged).
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

/** Most unexpired links at once (per database); issuing more purges the oldest. */
export const MAX_OPEN_LINKS = 100

function linkKey(tokenKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', tokenKey, 'waddlebot', 'waddlebot spotify login link v1', 32))
}

const sign = (key: Buffer, id: string, communityId: string, expiresAt: number) =>
  createHmac('sha256', linkKey(key)).update(`${id}\0${communityId}\0${expiresAt}`).digest('base64url')

/** Issues a one-time link for `communityId`, valid `ttlMs`; returns the `link` query value and its expiry. */
export async function issueLoginLink(
  db: Queryable,
  key: Buffer,
  communityId: string,
  now: number,
  ttlMs: number,
): Promise<{ link: string; expiresAt: number }> {
  const id = randomBytes(18).toString('base64url')
  const expiresAt = now + ttlMs
  await db.execute(sql`delete from spotify_login_links where expires_at <= ${now}`)
  await db.execute(
    sql`delete from spotify_login_links where id in (select id from spotify_login_links order by created_at desc limit 100000 offset ${MAX_OPEN_LINKS - 1})`,
  )
  await db.execute(
    sql`insert into spotify_login_links (id, community_id, created_at, expires_at) values (${id}, ${communityId}, ${now}, ${expiresAt})`,
  )
  return { link: `${id}.${expiresAt}.${sign(key, id, communityId, expiresAt)}`, expiresAt }
}

/** Redeems `link` once: the community it was issued for, or undefined (malformed, forged, expired or used). */
export async function redeemLoginLink(
  db: Queryable,
  key: Buffer,
  link: string,
  now: number,
): Promise<string | undefined> {
  const match = /^([A-Za-z0-9_-]{24})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(link)
  if (!match) return undefined
  const [, id, expires, sig] = match
  const expiresAt = Number(expires)
  if (expiresAt <= now) return undefined
  const row = await db.one<{ community_id: string; expires_at: number | string }>(
    sql`select community_id, expires_at from spotify_login_links where id = ${id}`,
  )
  if (!row || Number(row.expires_at) !== expiresAt) return undefined
  const want = Buffer.from(sign(key, id, row.community_id, expiresAt))
  const got = Buffer.from(sig)
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined
  const used = await db.one<{ community_id: string }>(
    sql`delete from spotify_login_links where id = ${id} returning community_id`,
  )
  return used?.community_id
}
