/**
 * Linking accounts: `!identity link <platform> <user>` sends a code by DM to that account (through the
 * target platform's collector, `POST /<platform>/whisper`); `!verify <code>` from that account moves it (and
 * every account already linked to it) into the requester's identity. A code is valid `code_ttl_minutes`, a new
 * one can be asked for every `resend_seconds`, `max_attempts` wrong codes lock the link for `lock_minutes`.
 * Every answer is one line meant for chat.
 */
import { randomUUID } from 'node:crypto'
import type { Cache } from '../../runtime/cache/types.js'
import type { ModuleClients } from '../../runtime/module-clients.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import { type Account, accountById, accountByName, accountsOf, label } from './accounts.js'
import { codeMatches, hashCode, newCode } from './codes.js'
import { IDENTITY_CHANGED, type IdentityResolver, newIdentityId } from './resolver.js'
import type { IdentityConfig } from './settings.js'
import { roleCacheKey } from '../router/public.js'

/** Platforms a code can be sent on (local has no private messages). */
export const LINKABLE = ['twitch', 'discord', 'slack'] as const

interface Verification {
  id: string
  identity_id: string
  platform: string
  platform_user_id: string
  code_hash: string
  attempts: number | string
  status: string
  created_at: number | string
  expires_at: number | string
  locked_until: number | string | null
}

export interface LinkDeps {
  readonly storage: Storage
  readonly cache: Cache
  readonly modules: ModuleClients
  readonly resolver: IdentityResolver
  readonly config: IdentityConfig
  readonly now: () => number
}

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000))

export class Linking {
  constructor(private readonly d: LinkDeps) {}

  /** Tells every replica (and this one) to forget the accounts' cached identity. */
  async #changed(accounts: readonly { platform: string; platform_user_id: string }[]): Promise<void> {
    const list = accounts.map((a) => ({ platform: a.platform, user_id: a.platform_user_id }))
    this.d.resolver.forget(list)
    await this.d.cache.publish(IDENTITY_CHANGED, { accounts: list })
  }

  /** Drops the router's cached community roles of these identities (router/public.ts key layout). */
  async #forgetRoles(identities: readonly string[]): Promise<void> {
    for (const identityId of identities) {
      const rows = await this.d.storage.query<{ community_id: string }>(
        sql`select distinct community_id from community_members where user_id = ${identityId}`,
      )
      for (const r of rows)
        await this.d.cache
          .delete(roleCacheKey({ communityId: r.community_id, platform: '', userId: '', identityId }))
          .catch(() => false)
    }
  }

  /** `!identity`: the caller's linked accounts. */
  async list(identityId: string): Promise<string> {
    const accounts = await accountsOf(this.d.storage, identityId)
    if (accounts.length <= 1) return 'No linked accounts yet. Link one with !identity link <platform> <username>.'
    return `Your linked accounts: ${accounts.map(label).join(', ')}`
  }

  /** `!identity link <platform> <username>` from `me` (identity `identityId`). */
  async link(identityId: string, me: Account | undefined, platform: string, userName: string): Promise<string> {
    const { storage: db, config, now } = this.d
    if (!(LINKABLE as readonly string[]).includes(platform))
      return `I can send codes on ${LINKABLE.join(', ')}; "${platform}" is not one of them.`
    const target = await accountByName(db, platform, userName)
    if (!target)
      return `I have not seen ${userName} on ${platform} yet: say something where the bot is on ${platform}, then try again.`
    if (target.identity_id === identityId) return `${label(target)} is already linked to you.`
    if (me && me.platform === target.platform && me.platform_user_id === target.platform_user_id)
      return 'That is the account you are typing from.'
    const t = now()
    const last = await db.one<Verification>(sql`select * from identity_verifications
      where identity_id = ${identityId} and platform = ${platform} and platform_user_id = ${target.platform_user_id}
      order by created_at desc limit 1`)
    if (last?.status === 'locked' && Number(last.locked_until) > t)
      return `Too many wrong codes for ${label(target)}: linking it is locked for ${minutes(Number(last.locked_until) - t)} more min.`
    if (last?.status === 'pending' && t - Number(last.created_at) < config.resend_seconds * 1000)
      return `A code was sent to ${label(target)} moments ago; ask again in ${Math.ceil((config.resend_seconds * 1000 - (t - Number(last.created_at))) / 1000)} s.`
    const code = newCode()
    const id = randomUUID()
    await db.transaction(async (tx) => {
      await tx.execute(sql`update identity_verifications set status = 'cancelled'
        where identity_id = ${identityId} and platform = ${platform} and status = 'pending'`)
      await tx.execute(sql`insert into identity_verifications (id, identity_id, platform, platform_user_id, code_hash, attempts, status, created_at, expires_at)
        values (${id}, ${identityId}, ${platform}, ${target.platform_user_id}, ${hashCode(code)}, 0, 'pending', ${t}, ${t + config.code_ttl_minutes * 60_000})`)
    })
    const from = me ? label(me) : 'another account'
    const text = `Your waddlebot link code is ${code}. To link this ${platform} account with ${from}, type !verify ${code} where the bot is on ${platform} within ${config.code_ttl_minutes} minutes. Not you? Ignore this message.`
    const failure = await this.#whisper(platform, target.platform_user_id, text)
    if (failure) {
      await db.execute(sql`update identity_verifications set status = 'cancelled' where id = ${id}`)
      return `I could not DM ${label(target)}: ${failure}`
    }
    return `I sent a code by DM to ${label(target)}. Type !verify <code> there within ${config.code_ttl_minutes} minutes.`
  }

  /** Sends the code through the target platform's collector; the reason when it could not. */
  async #whisper(platform: string, userId: string, text: string): Promise<string | undefined> {
    if (!this.d.modules.runnable().includes(platform)) return `the ${platform} collector does not run in this bot.`
    try {
      const res = await this.d.modules.request(platform, `/${platform}/whisper`, {
        body: { to_user_id: userId, text },
        timeoutMs: 10_000,
      })
      if (res.ok) {
        await res.body?.cancel()
        return undefined
      }
      const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined
      return body?.error?.message ?? `${platform} answered ${res.status}`
    } catch (error) {
      return (error as Error).message
    }
  }

  /** `!verify <code>` from the account the code was sent to. */
  async verify(me: Account, typed: string): Promise<string> {
    const { storage: db, config, now } = this.d
    const t = now()
    const v = await db.one<Verification>(sql`select * from identity_verifications
      where platform = ${me.platform} and platform_user_id = ${me.platform_user_id} and status in ('pending', 'locked')
      order by created_at desc limit 1`)
    if (!v)
      return 'No link is waiting for this account. Start one with !identity link <platform> <username> from your other account.'
    if (v.status === 'locked')
      return Number(v.locked_until) > t
        ? `Too many wrong codes: this link is locked for ${minutes(Number(v.locked_until) - t)} more min.`
        : 'That link was locked after too many wrong codes. Ask for a new code from your other account.'
    if (t > Number(v.expires_at)) {
      await db.execute(sql`update identity_verifications set status = 'expired' where id = ${v.id}`)
      return `That code expired (codes last ${config.code_ttl_minutes} minutes): ask for a new one with !identity link from your other account.`
    }
    if (!codeMatches(typed, v.code_hash)) {
      const attempts = Number(v.attempts) + 1
      if (attempts >= config.max_attempts) {
        await db.execute(sql`update identity_verifications set attempts = ${attempts}, status = 'locked',
          locked_until = ${t + config.lock_minutes * 60_000} where id = ${v.id}`)
        return `Wrong code. That was ${attempts} wrong codes: this link is locked for ${config.lock_minutes} min.`
      }
      await db.execute(sql`update identity_verifications set attempts = ${attempts} where id = ${v.id}`)
      const left = config.max_attempts - attempts
      return `Wrong code: ${left} ${left === 1 ? 'try' : 'tries'} left.`
    }
    const moved = await accountsOf(db, me.identity_id)
    await db.transaction(async (tx) => {
      await tx.execute(sql`update identity_verifications set status = 'verified' where id = ${v.id}`)
      await tx.execute(sql`update identity_links set identity_id = ${v.identity_id}, linked_at = ${t}
        where identity_id = ${me.identity_id}`)
      await tx.execute(
        sql`update user_api_keys set identity_id = ${v.identity_id} where identity_id = ${me.identity_id}`,
      )
      // Community roles of the moved accounts now belong to the person (core table community_members).
      await tx.execute(sql`update community_members set user_id = ${v.identity_id} where user_id = ${me.identity_id}`)
    })
    await this.#forgetRoles([v.identity_id, me.identity_id])
    await this.#changed(moved)
    const all = await accountsOf(db, v.identity_id)
    return `Linked! ${all.map(label).join(', ')} are now one person to the bot.`
  }

  /** `!identity unlink <platform>`: that account gets an identity of its own again. */
  async unlink(identityId: string, platform: string): Promise<string> {
    const accounts = await accountsOf(this.d.storage, identityId)
    const target = accounts.find((a) => a.platform === platform)
    if (!target) return `You have no ${platform} account linked.`
    if (accounts.length === 1) return 'Nothing to unlink: this is your only account.'
    const others = accounts.filter((a) => a.platform === platform)
    await this.#forgetRoles([identityId])
    for (const a of others) {
      const fresh = newIdentityId()
      await this.d.storage.transaction(async (tx) => {
        await tx.execute(sql`update identity_links set identity_id = ${fresh}, linked_at = ${this.d.now()}
          where platform = ${a.platform} and platform_user_id = ${a.platform_user_id}`)
        // Its community memberships go with the account, not the person.
        await tx.execute(sql`update community_members set user_id = ${fresh}
          where user_id = ${identityId} and platform = ${a.platform} and platform_user_id = ${a.platform_user_id}`)
      })
    }
    await this.#changed(others)
    return `Unlinked ${others.map(label).join(', ')}.`
  }

  /** The account that typed a command (recorded by the resolver when the router saw it). */
  account(platform: string, userId: string): Promise<Account | undefined> {
    return accountById(this.d.storage, platform, userId)
  }
}
