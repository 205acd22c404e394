/**
 * Keeps a compiled matcher current across router processes. Every change bumps the counter
 * `stringmatch:version` and publishes `stringmatch:changed`; each {@link RuleMatcher} then rebuilds
 * (debounced) in the background while the previous matcher keeps serving, so a message never waits for a
 * rebuild. A periodic check of the counter and of the table's fingerprint catches lost messages and changes
 * made without the cache (e.g. `waddlebot moderation add` against an in-process cache).
 */
import type { Cache, Unsubscribe } from '../../../runtime/cache/types.js'
import type { Queryable } from '../../../runtime/storage/types.js'
import { type CompiledMatcher, compileMatcher, compileMatcherAsync } from './compile.js'
import { listRules, rulesFingerprint } from './rules.js'
import type { MatchHit } from './types.js'

/** Cache counter incremented on every rule change. */
export const VERSION_KEY = 'stringmatch:version'
/** Pub/sub channel announcing a rule change; the message is `{version}`. */
export const CHANGED_CHANNEL = 'stringmatch:changed'

/** Bumps the version counter and tells every router to rebuild; returns the new version. */
export async function announceRulesChanged(cache: Cache): Promise<number> {
  const version = await cache.incr(VERSION_KEY)
  await cache.publish(CHANGED_CHANNEL, { version })
  return version
}

/** The current version counter (0 before any change). */
export function currentRulesVersion(cache: Cache): Promise<number> {
  return cache.incr(VERSION_KEY, 0)
}

/** Options of {@link RuleMatcher}. */
export interface RuleMatcherOptions {
  readonly storage: Queryable
  readonly cache: Cache
  /** Changes arriving within this window cause one rebuild; default 200 ms. */
  readonly debounceMs?: number | undefined
  /** How often the version counter and the table fingerprint are checked; default 15 000 ms (0 = never). */
  readonly pollMs?: number | undefined
  /** Receives rebuild failures (the previous matcher keeps serving); default: ignored. */
  readonly onError?: ((error: unknown) => void) | undefined
}

const EMPTY = compileMatcher([])

/** Holds the compiled matcher of the router and rebuilds it when rules change. */
export class RuleMatcher {
  private compiled: CompiledMatcher = EMPTY
  private builtVersion = -1
  private builtFingerprint = ''
  private timer: NodeJS.Timeout | undefined
  private poller: NodeJS.Timeout | undefined
  private loop: Promise<void> | undefined
  private again = false
  private closed = false
  private unsubscribe: Unsubscribe | undefined
  private rebuildCount = 0
  private readonly debounceMs: number
  private readonly pollMs: number

  constructor(private readonly options: RuleMatcherOptions) {
    this.debounceMs = options.debounceMs ?? 200
    this.pollMs = options.pollMs ?? 15_000
  }

  /** Builds the first matcher and starts listening for changes. Await it before serving messages. */
  async start(): Promise<void> {
    this.unsubscribe = await this.options.cache.subscribe(CHANGED_CHANNEL, () => this.requestRebuild())
    await this.rebuildNow()
    if (this.pollMs > 0) {
      this.poller = setInterval(() => void this.check(), this.pollMs)
      this.poller.unref()
    }
  }

  /** The rules matching `message` for `entityId`, from the current matcher (see CompiledMatcher.match). */
  match(message: unknown, entityId?: string | null): MatchHit[] {
    return this.compiled.match(message, entityId)
  }

  /** The matcher serving now. */
  get matcher(): CompiledMatcher {
    return this.compiled
  }

  /** The version counter the serving matcher was built at (-1 before the first build). */
  get version(): number {
    return this.builtVersion
  }

  /** How many times the matcher was (re)built. */
  get rebuilds(): number {
    return this.rebuildCount
  }

  /** Schedules a rebuild after the debounce window; repeated calls within the window coalesce. */
  requestRebuild(): void {
    if (this.closed || this.timer !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.rebuildNow().catch(() => {})
    }, this.debounceMs)
    this.timer.unref()
  }

  /** Rebuilds now (or right after a rebuild in flight); resolves when a matcher built after this call serves. */
  rebuildNow(): Promise<void> {
    this.again = true
    this.loop ??= (async () => {
      try {
        while (this.again && !this.closed) {
          this.again = false
          await this.build()
        }
      } finally {
        this.loop = undefined
      }
    })()
    return this.loop
  }

  /** Resolves once no rebuild is scheduled or running (failures included). */
  async idle(): Promise<void> {
    while (this.timer !== undefined || this.loop !== undefined) {
      await (this.loop?.catch(() => {}) ?? new Promise((resolve) => setTimeout(resolve, this.debounceMs)))
    }
  }

  /** Checks the version counter and the table fingerprint; schedules a rebuild when either moved. */
  async check(): Promise<void> {
    if (this.closed) return
    try {
      const [version, fingerprint] = await Promise.all([
        currentRulesVersion(this.options.cache),
        rulesFingerprint(this.options.storage),
      ])
      if (version !== this.builtVersion || fingerprint !== this.builtFingerprint) this.requestRebuild()
    } catch (error) {
      this.options.onError?.(error)
    }
  }

  /** Stops listening; the last matcher keeps answering `match`. */
  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    this.timer = undefined
    clearInterval(this.poller)
    await this.unsubscribe?.()
    await this.loop?.catch(() => {})
  }

  private async build(): Promise<void> {
    try {
      // Read the markers before the rules: a change landing in between triggers another rebuild later.
      const [version, fingerprint] = await Promise.all([
        currentRulesVersion(this.options.cache),
        rulesFingerprint(this.options.storage),
      ])
      const rules = await listRules(this.options.storage, { enabledOnly: true })
      this.compiled = await compileMatcherAsync(rules)
      this.builtVersion = version
      this.builtFingerprint = fingerprint
      this.rebuildCount++
    } catch (error) {
      this.options.onError?.(error)
      throw error
    }
  }
}
