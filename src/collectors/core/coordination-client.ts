/**
 * The collector side of coordination (CONTRACT §4.3, src/modules/router/coordination/routes.ts): claims up
 * to `maxClaims` entities, checks in before the claims expire, claims more while below `maxClaims`, and
 * releases everything on stop. A claim whose renewal did not succeed before its expiry is dropped locally,
 * so this process never serves an entity another container may have taken over.
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { WaddleError } from '../../runtime/errors.js'
import { type JsonReply, replyError, requestJson } from './http.js'
import type { ClaimedEntity, CoordinationClient } from './types.js'

type Change = { added: ClaimedEntity[]; removed: string[] }

export interface CoordinationClientOptions {
  /** Base URL of the router. */
  readonly routerUrl: string
  /** A `collector` key (or the service key). */
  readonly key: string
  readonly platform: string
  /** Default `<platform>-<hostname>-<pid>-<random>`: unique per process. */
  readonly containerId?: string
  /** Entities held at most (default 5). */
  readonly maxClaims?: number
  /** Check-in period (default 5 min); the router's `checkin_interval_ms` wins when it is shorter. */
  readonly checkinIntervalMs?: number
  /** How often to claim more while below `maxClaims` (default 30 s). */
  readonly claimIntervalMs?: number
  /** Release entities that are not live (and claim others) on every claim round (default false). */
  readonly rotateOffline?: boolean
  /**
   * Releases this container's claims another way when the router cannot be reached at stop (e.g. straight
   * in the shared database while the in-process router's server is already closed).
   */
  readonly releaseFallback?: (containerId: string) => Promise<unknown>
  /** Replaces the transport (tests make the router flaky with it); default node:http (src/runtime/http-call.ts). */
  readonly fetch?: typeof fetch
  readonly log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void }
  /** Clock in epoch ms (default `Date.now`). */
  readonly now?: () => number
}

/** The client plus manual steps (tests and the collector core use them). */
export interface CoordinationClientControl extends CoordinationClient {
  /** One claim round now; resolves with the entities added. */
  claimNow(): Promise<ClaimedEntity[]>
  /** One check-in now; resolves with the entities lost (taken away, or expired before a renewal). */
  checkinNow(): Promise<string[]>
  /** Releases held entities that are not live; resolves with their ids. */
  releaseOffline(): Promise<string[]>
  isHeld(entityId: string): boolean
}

/** A unique container id for this process. */
export function defaultContainerId(platform: string): string {
  return `${platform}-${hostname().slice(0, 60)}-${process.pid}-${randomBytes(3).toString('hex')}`
}

interface Held {
  readonly entity: ClaimedEntity
  /** Local time after which the claim may have passed to another container. */
  expires: number
}

/**
 * Creates the coordination client (not started: call `start()`).
 * @example
 * const coordination = createCoordinationClient({ routerUrl, key, platform: 'twitch' })
 * coordination.onChange(({ added, removed }) => { for (const e of added) join(e.channel_id) ; for (const id of removed) part(id) })
 * await coordination.start()
 */
export function createCoordinationClient(options: CoordinationClientOptions): CoordinationClientControl {
  const doFetch = options.fetch
  const now = options.now ?? Date.now
  const base = options.routerUrl.replace(/\/+$/, '')
  const containerId = options.containerId ?? defaultContainerId(options.platform)
  const maxClaims = options.maxClaims ?? 5
  const claimIntervalMs = options.claimIntervalMs ?? 30_000
  let checkinIntervalMs = options.checkinIntervalMs ?? 5 * 60_000
  const held = new Map<string, Held>()
  const handlers = new Set<(change: Change) => void>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  /** Each loop's timer while it waits (absent while its step runs: the step re-arms it when done). */
  const waiting = new Map<string, ReturnType<typeof setTimeout>>()
  let running = false
  let chain: Promise<unknown> = Promise.resolve()

  /** Runs coordination calls one after the other (a claim never overlaps a release). */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work)
    chain = next.catch(() => {})
    return next
  }
  const post = (path: string, body: object): Promise<JsonReply> =>
    requestJson(doFetch, `${base}${path}`, {
      method: 'POST',
      key: options.key,
      body: { container_id: containerId, ...body },
      timeoutMs: 10_000,
    })
  const refused = (reply: JsonReply): WaddleError =>
    new WaddleError('WB_ROUTER_REFUSED', { url: base, status: reply.status, reason: replyError(reply) })

  function emit(change: Change): void {
    if (change.added.length === 0 && change.removed.length === 0) return
    for (const handler of handlers) {
      try {
        handler(change)
      } catch (err) {
        options.log?.warn({ err }, 'coordination change handler failed')
      }
    }
  }

  function drop(ids: readonly string[]): string[] {
    const removed = ids.filter((id) => held.delete(id))
    emit({ added: [], removed })
    return removed
  }

  /** Drops claims whose renewal is overdue (the router may have handed them on). */
  function expireOverdue(): string[] {
    const t = now()
    return drop([...held].filter(([, h]) => h.expires <= t).map(([id]) => id))
  }

  /**
   * The router's check-in interval wins when shorter. A check-in already waiting on the longer period (armed
   * before the first claim reached the router) is re-armed, or the claims would expire before it.
   */
  function adoptInterval(reply: JsonReply): void {
    const ms = (reply.body as { checkin_interval_ms?: unknown }).checkin_interval_ms
    if (typeof ms !== 'number' || ms <= 0 || ms >= checkinIntervalMs) return
    checkinIntervalMs = ms
    const pending = waiting.get('checkin')
    if (pending === undefined) return
    clearTimeout(pending)
    timers.delete(pending)
    waiting.delete('checkin')
    loop('checkin', () => checkinIntervalMs, checkinNow)
  }

  const claimNow = () =>
    serial(async () => {
      expireOverdue()
      if (held.size >= maxClaims) return []
      const started = now()
      const reply = await post('/coordination/claim', { platform: options.platform, max_claims: maxClaims })
      if (reply.status !== 200) throw refused(reply)
      adoptInterval(reply)
      const body = reply.body as { claimed: ClaimedEntity[]; claim_ttl_ms: number }
      const added: ClaimedEntity[] = []
      for (const e of body.claimed) {
        const entity = {
          entity_id: e.entity_id,
          platform: e.platform,
          server_id: e.server_id,
          channel_id: e.channel_id,
        }
        if (!held.has(e.entity_id)) added.push(entity)
        held.set(e.entity_id, { entity, expires: started + body.claim_ttl_ms })
      }
      emit({ added, removed: [] })
      return added
    })

  const checkinNow = () =>
    serial(async () => {
      const expired = expireOverdue()
      if (held.size === 0) return expired
      const started = now()
      const reply = await post('/coordination/checkin', {})
      if (reply.status !== 200) throw refused(reply)
      adoptInterval(reply)
      const body = reply.body as { renewed: string[]; claim_expires: number | null }
      const renewed = new Set(body.renewed)
      const ttl = body.claim_expires === null ? 0 : body.claim_expires - (reply.body as { timestamp: number }).timestamp
      for (const [id, h] of held) if (renewed.has(id)) h.expires = started + ttl
      return [...expired, ...drop([...held.keys()].filter((id) => !renewed.has(id)))]
    })

  const releaseOffline = () =>
    serial(async () => {
      const reply = await post('/coordination/release-offline', {})
      if (reply.status !== 200) throw refused(reply)
      return drop((reply.body as { released: string[] }).released)
    })

  /** Re-arms `step` after `delay()`; while it fails it is retried sooner (backoff from 250 ms). */
  function loop(name: string, delay: () => number, step: () => Promise<unknown>, failures = 0): void {
    if (!running) return
    const wait = failures > 0 ? Math.min(delay(), 250 * 2 ** Math.min(failures - 1, 6)) : delay()
    const timer = setTimeout(async () => {
      timers.delete(timer)
      waiting.delete(name)
      if (!running) return
      let failed = failures
      try {
        await step()
        failed = 0
      } catch (err) {
        failed++
        options.log?.warn({ err, containerId }, `coordination ${name} failed`)
      }
      loop(name, delay, step, failed)
    }, wait)
    timer.unref?.()
    timers.add(timer)
    waiting.set(name, timer)
  }

  async function status(path: string, entityId: string, body: object): Promise<JsonReply | undefined> {
    try {
      const reply = await post(path, { entity_id: entityId, ...body })
      if (reply.status === 409 || reply.status === 404) drop([entityId])
      else if (reply.status !== 200) throw refused(reply)
      return reply
    } catch (err) {
      options.log?.warn({ err, entityId }, `coordination ${path} failed`)
      return undefined
    }
  }

  return {
    containerId,
    held: () => [...held.values()].map((h) => h.entity),
    isHeld: (entityId) => held.has(entityId),
    claimNow,
    checkinNow,
    releaseOffline,

    onChange(handler) {
      handlers.add(handler)
      return () => handlers.delete(handler)
    },

    async start() {
      if (running) return
      running = true
      let failed = 0
      try {
        await claimNow()
      } catch (err) {
        failed = 1
        options.log?.warn({ err, containerId }, 'coordination claim failed; retrying')
      }
      const claimRound = async () => {
        if (options.rotateOffline && held.size >= maxClaims) await releaseOffline()
        await claimNow()
      }
      loop('claim', () => claimIntervalMs, claimRound, failed)
      loop('checkin', () => checkinIntervalMs, checkinNow)
    },

    async stop() {
      running = false
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      waiting.clear()
      await serial(async () => {
        if (held.size === 0) return
        try {
          const reply = await post('/coordination/release', {})
          if (reply.status !== 200) throw refused(reply)
        } catch (err) {
          const fallback = options.releaseFallback?.(containerId)
          const released = fallback
            ? await fallback.then(
                () => true,
                () => false,
              )
            : false
          if (!released)
            options.log?.warn({ err, containerId }, 'coordination release failed; the claims expire on their own')
        }
        drop([...held.keys()])
      })
    },

    async reportStatus(entityId, update) {
      await status('/coordination/status', entityId, update)
    },

    async reportError(entityId, message) {
      const reply = await status('/coordination/error', entityId, { error_message: message.slice(0, 4000) })
      if ((reply?.body as { released?: boolean } | undefined)?.released) drop([entityId])
    },
  }
}
