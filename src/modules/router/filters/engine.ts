/**
 * The router's filter stage. `check` is synchronous and runs on every chat message (one scan of the text;
 * nothing else when the message is clean). Only a hit goes on to `decide`, which may wait on the cache or
 * the database: a `!permit` to consume, a first message to confirm, the user's strikes for escalation.
 */
import { Counter } from 'prom-client'
import type { InboundEvent } from '../../../contract/events.js'
import type { Response } from '../../../contract/responses.js'
import type { Cache } from '../../../runtime/cache/types.js'
import { metricsRegistry } from '../../../runtime/metrics.js'
import type { Queryable } from '../../../runtime/storage/types.js'
import { fillTemplate, type Reaction } from '../matcher/actions.js'
import { FilterBook } from './book.js'
import { type CompiledFilters, evaluate, type FilterHit, FilterScratch, type FirstTime } from './evaluate.js'
import { recordChatter } from './store.js'
import type { CommonSettings, FilterName, Step } from './types.js'

const filterHits =
  (metricsRegistry.getSingleMetric('waddlebot_filter_hits_total') as Counter | undefined) ??
  new Counter({
    name: 'waddlebot_filter_hits_total',
    help: 'Spam filter hits by filter and action taken',
    labelNames: ['filter', 'action'],
    registers: [metricsRegistry],
  })

/** The cache key of a `!permit` for a user (by user name, lower-case) in a community. */
export function permitKey(communityId: string, platform: string, userName: string): string {
  return `filters:permit:${communityId}:${platform}:${userName.replace(/^@/, '').toLowerCase()}`
}

const strikeKey = (communityId: string, filter: FilterName, event: InboundEvent): string =>
  `filters:strikes:${communityId}:${filter}:${event.platform}:${event.user_id}`

/** A message that broke at least one filter, waiting for `decide`. */
export interface PendingFilterHit {
  readonly event: InboundEvent
  readonly communityId: string
  readonly compiled: CompiledFilters
  readonly hits: readonly FilterHit[]
  readonly firstTime: FirstTime
  /** Resolves true when the database confirms this is the user's first message in the community. */
  readonly firstRecorded: Promise<boolean> | undefined
}

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined

/** The moderation responses of one step. */
export function stepResponses(step: Step, settings: CommonSettings, event: InboundEvent): Response[] {
  const reason = fillTemplate(settings.reason, event)
  const del: Response[] = settings.delete ? [{ type: 'moderation', action: 'delete', reason }] : []
  if (step.action === 'warn') return [...del, { type: 'moderation', action: 'warn', reason }]
  if (step.action === 'timeout')
    return [...del, { type: 'moderation', action: 'timeout', reason, duration: step.duration ?? settings.duration }]
  return [{ type: 'moderation', action: step.action, reason }]
}

export interface FilterStageOptions {
  readonly storage: Queryable
  readonly cache: Cache
  readonly onError: (error: unknown, context: string) => void
  readonly pollMs?: number | undefined
}

export class FilterStage {
  readonly book: FilterBook
  readonly #scratch = new FilterScratch()
  /** Users this process has seen chat, per community (bounded). */
  #seen = new Set<string>()

  constructor(private readonly options: FilterStageOptions) {
    this.book = new FilterBook({
      storage: options.storage,
      cache: options.cache,
      pollMs: options.pollMs,
      onError: (e) => options.onError(e, 'filter settings reload'),
    })
  }

  start(): Promise<void> {
    return this.book.start()
  }

  /** The filters `event` breaks, or undefined (the common case, decided without waiting on anything). */
  check(event: InboundEvent, entityId: string, communityId: string): PendingFilterHit | undefined {
    const compiled = this.book.for(communityId, entityId)
    if (compiled.active.length === 0 || !event.message) return undefined
    let firstTime: FirstTime = 'no'
    let firstRecorded: Promise<boolean> | undefined
    if (compiled.settings['first-chatter'].enabled) {
      const key = `${communityId}\u0000${event.platform}\u0000${event.user_id}`
      if (event.metadata?.first_message === true) firstTime = 'yes'
      if (!this.#seen.has(key)) {
        if (this.#seen.size > 200_000) this.#seen = new Set()
        this.#seen.add(key)
        if (firstTime === 'no') firstTime = 'maybe'
        firstRecorded = recordChatter(this.options.storage, communityId, event.platform, event.user_id).catch(
          (err: unknown) => {
            this.options.onError(err, 'recording a chatter')
            return false
          },
        )
      }
    }
    const emotes = strings(event.metadata?.emotes)
    const hits = evaluate(
      compiled,
      {
        text: event.message,
        roles: event.roles,
        labels: strings(event.metadata?.labels),
        emoteNames: emotes && emotes.length > 0 ? new Set(emotes) : undefined,
        firstTime,
      },
      this.#scratch,
      true,
    )
    return hits.length === 0 ? undefined : { event, communityId, compiled, hits, firstTime, firstRecorded }
  }

  /** The moderation responses for a hit; empty when a permit or an unconfirmed first message lets it pass. */
  async decide(p: PendingFilterHit): Promise<Response[]> {
    const { event, communityId, compiled } = p
    let permitted = false
    for (const hit of p.hits) {
      const linkFilter = hit.filter === 'links' || hit.filter === 'first-chatter'
      if (hit.filter === 'first-chatter' && p.firstTime === 'maybe' && !(await p.firstRecorded)) continue
      if (linkFilter && permitted) continue
      if (linkFilter && (await this.options.cache.delete(permitKey(communityId, event.platform, event.user_name)))) {
        permitted = true
        continue
      }
      const settings = compiled.settings[hit.filter]
      const step = await this.#step(settings, communityId, hit.filter, event)
      filterHits.inc({ filter: hit.filter, action: step.action })
      return stepResponses(step, settings, event)
    }
    return []
  }

  async #step(settings: CommonSettings, communityId: string, filter: FilterName, event: InboundEvent): Promise<Step> {
    if (settings.action !== 'escalate')
      return settings.action === 'timeout'
        ? { action: 'timeout', duration: settings.duration }
        : { action: settings.action }
    const strikes = await this.options.cache.incr(strikeKey(communityId, filter, event), 1, settings.window * 1000)
    return settings.steps[Math.min(strikes, settings.steps.length) - 1] ?? { action: 'warn' }
  }

  close(): Promise<void> {
    return this.book.close()
  }
}

/** Merges a filter's responses with a rule reaction's: one moderation response per action (the longest timeout). */
export function mergeModeration(filter: readonly Response[], rules: readonly Response[]): Response[] {
  const out: Response[] = []
  for (const r of [...filter, ...rules]) {
    if (r.type !== 'moderation') {
      out.push(r)
      continue
    }
    const i = out.findIndex((x) => x.type === 'moderation' && x.action === r.action)
    if (i < 0) out.push(r)
    else if (r.action === 'timeout' && (r.duration ?? 0) > ((out[i] as { duration?: number }).duration ?? 0)) out[i] = r
  }
  // Moderation first, as the rule reaction puts it.
  return [...out.filter((r) => r.type === 'moderation'), ...out.filter((r) => r.type !== 'moderation')]
}

/** The rule reaction with a filter's responses folded in (undefined when neither has anything). */
export function withFilterResponses(
  reaction: Reaction | undefined,
  filtered: readonly Response[] | undefined,
): Reaction | undefined {
  if (!filtered || filtered.length === 0) return reaction
  if (!reaction) return { responses: [...filtered], webhooks: [], ruleIds: [] }
  return { ...reaction, responses: mergeModeration(filtered, reaction.responses) }
}
