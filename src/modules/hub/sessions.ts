/**
 * Hub sessions: a JWT (HS256) whose `sid` names a `hub_sessions` row. A token is accepted only while its
 * signature holds, it has not expired, and its row is neither revoked nor expired, so logout and revocation take
 * effect at once in every process. The signing secret is `HUB_SESSION_SECRET`, else derived from the service key.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

export interface Session {
  readonly id: string
  readonly user_id: string
  readonly expires_at: number
  /** How it was opened: `oauth:<platform>`, `temp-password`, or `temp-password+link` (must link OAuth first). */
  readonly via: string
}

/** The session kind that may only finish logging in (link an OAuth account). */
export const LINK_REQUIRED = 'temp-password+link'

export interface SessionRow {
  id: string
  user_id: string
  via: string
  created_at: number | string
  expires_at: number | string
  revoked_at: number | string | null
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const HEADER = b64({ alg: 'HS256', typ: 'JWT' })

/** The signing secret: HUB_SESSION_SECRET, else an HMAC of the service key (stable across processes). */
export function sessionSecret(env: NodeJS.ProcessEnv, serviceKey: string): Buffer {
  const configured = env.HUB_SESSION_SECRET
  if (configured) return createHash('sha256').update(configured).digest()
  return createHmac('sha256', serviceKey).update('waddlebot hub sessions v1').digest()
}

export function signToken(secret: Buffer, claims: { sid: string; sub: string; iat: number; exp: number }): string {
  const body = `${HEADER}.${b64(claims)}`
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
}

/** The claims of a well-signed, unexpired token; undefined otherwise. */
export function verifyToken(
  secret: Buffer,
  token: string,
  now: number,
): { sid: string; sub: string; exp: number } | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || parts[0] !== HEADER) return undefined
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest()
  const given = Buffer.from(parts[2] ?? '', 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
  try {
    const claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
    if (typeof claims.sid !== 'string' || typeof claims.sub !== 'string' || typeof claims.exp !== 'number')
      return undefined
    if (claims.exp * 1000 <= now) return undefined
    return { sid: claims.sid, sub: claims.sub, exp: claims.exp }
  } catch {
    return undefined
  }
}

export class SessionStore {
  constructor(
    private readonly db: Queryable,
    private readonly secret: Buffer,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** A new session for `userId`: its row and its token. */
  async create(
    userId: string,
    via: string,
    client: { ip?: string; userAgent?: string } = {},
  ): Promise<Session & { token: string }> {
    const t = this.now()
    const id = `hs_${randomUUID().replaceAll('-', '')}`
    const expires = t + this.ttlMs
    await this.db.execute(sql`insert into hub_sessions (id, user_id, via, created_at, expires_at, last_seen_at, ip, user_agent)
      values (${id}, ${userId}, ${via}, ${t}, ${expires}, ${t}, ${client.ip ?? null}, ${client.userAgent?.slice(0, 200) ?? null})`)
    const token = signToken(this.secret, {
      sid: id,
      sub: userId,
      iat: Math.floor(t / 1000),
      exp: Math.floor(expires / 1000),
    })
    return { id, user_id: userId, expires_at: expires, via, token }
  }

  /** The live session a token names, or undefined (bad signature, expired, revoked, unknown). */
  async verify(token: string): Promise<Session | undefined> {
    const t = this.now()
    const claims = verifyToken(this.secret, token, t)
    if (!claims) return undefined
    const row = await this.db.one<SessionRow>(sql`select id, user_id, via, created_at, expires_at, revoked_at
      from hub_sessions where id = ${claims.sid}`)
    if (!row || row.revoked_at !== null || Number(row.expires_at) <= t || row.user_id !== claims.sub) return undefined
    return { id: row.id, user_id: row.user_id, expires_at: Number(row.expires_at), via: row.via }
  }

  /** Records that a link-required session linked an OAuth account. */
  async linked(id: string): Promise<void> {
    await this.db.execute(
      sql`update hub_sessions set via = 'temp-password' where id = ${id} and via = ${LINK_REQUIRED}`,
    )
  }

  /** Revokes one session (of `userId` when given); true when a live one was revoked. */
  async revoke(id: string, userId?: string): Promise<boolean> {
    const t = this.now()
    const res = userId
      ? await this.db.execute(sql`update hub_sessions set revoked_at = ${t}
          where id = ${id} and user_id = ${userId} and revoked_at is null`)
      : await this.db.execute(sql`update hub_sessions set revoked_at = ${t} where id = ${id} and revoked_at is null`)
    return res.changes > 0
  }

  /** Revokes every session of a user; how many. */
  async revokeAll(userId: string): Promise<number> {
    const res = await this.db.execute(sql`update hub_sessions set revoked_at = ${this.now()}
      where user_id = ${userId} and revoked_at is null`)
    return res.changes
  }

  /** A user's live sessions, newest first. */
  async list(userId: string): Promise<{ id: string; via: string; created_at: number; expires_at: number }[]> {
    const rows = await this.db.query<SessionRow>(sql`select id, user_id, via, created_at, expires_at, revoked_at
      from hub_sessions where user_id = ${userId} and revoked_at is null and expires_at > ${this.now()}
      order by created_at desc`)
    return rows.map((r) => ({
      id: r.id,
      via: r.via,
      created_at: Number(r.created_at),
      expires_at: Number(r.expires_at),
    }))
  }
}

/** A random url-safe secret (CSRF tokens, OAuth state and PKCE verifiers). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url')
