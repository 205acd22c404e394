/**
 * The filter settings of every community and channel, held in memory by each router and reloaded when they
 * change (`filters:changed` on the cache, and a check of the table's fingerprint every 15 s for changes made
 * without Redis). The settings of a channel are compiled once per load.
 */
import type { Cache, Unsubscribe } from '../../../runtime/cache/types.js'
import type { Queryable } from '../../../runtime/storage/types.js'
import { type CompiledFilters, compileFilters } from './evaluate.js'
import { type Overrides, resolveSettings } from './settings.js'
import { FILTERS_CHANGED, type FilterRow, filtersFingerprint, listFilterRows } from './store.js'
import type { FilterName } from './types.js'

type Scoped = Partial<Record<FilterName, Overrides>>

/** Groups rows by `community\0entity`. */
export function groupRows(rows: readonly FilterRow[]): Map<string, Scoped> {
  const out = new Map<string, Scoped>()
  for (const r of rows) {
    const key = `${r.community_id}\u0000${r.entity_id}`
    const scoped = out.get(key) ?? {}
    scoped[r.filter] = r.settings
    out.set(key, scoped)
  }
  return out
}

/** The compiled settings of a channel from grouped rows. */
export function compiledFor(
  groups: ReadonlyMap<string, Scoped>,
  communityId: string,
  entityId: string,
): CompiledFilters {
  return compileFilters(
    resolveSettings(groups.get(`${communityId}\u0000`), groups.get(`${communityId}\u0000${entityId}`)),
  )
}

export interface FilterBookOptions {
  readonly storage: Queryable
  readonly cache: Cache
  /** Fingerprint check interval; default 15 000 ms, 0 = never. */
  readonly pollMs?: number | undefined
  readonly onError?: ((error: unknown) => void) | undefined
}

export class FilterBook {
  #groups = new Map<string, Scoped>()
  #compiled = new Map<string, CompiledFilters>()
  #fingerprint = ''
  #loading: Promise<void> | undefined
  #again = false
  #poller: NodeJS.Timeout | undefined
  #unsubscribe: Unsubscribe | undefined
  #loads = 0

  constructor(private readonly options: FilterBookOptions) {}

  async start(): Promise<void> {
    this.#unsubscribe = await this.options.cache.subscribe(FILTERS_CHANGED, () => void this.reload().catch(() => {}))
    await this.reload()
    const pollMs = this.options.pollMs ?? 15_000
    if (pollMs > 0) {
      this.#poller = setInterval(() => void this.check(), pollMs)
      this.#poller.unref()
    }
  }

  /** The settings in force in `entityId` of `communityId`. */
  for(communityId: string, entityId: string): CompiledFilters {
    const key = `${communityId}\u0000${entityId}`
    let c = this.#compiled.get(key)
    if (c === undefined) {
      c = compiledFor(this.#groups, communityId, entityId)
      if (this.#compiled.size > 50_000) this.#compiled.clear()
      this.#compiled.set(key, c)
    }
    return c
  }

  /** How many times the settings were loaded. */
  get loads(): number {
    return this.#loads
  }

  /** Loads the settings now (or once more after a load in flight); resolves when they serve. */
  reload(): Promise<void> {
    this.#again = true
    this.#loading ??= (async () => {
      try {
        while (this.#again) {
          this.#again = false
          const fingerprint = await filtersFingerprint(this.options.storage)
          const groups = groupRows(await listFilterRows(this.options.storage))
          this.#groups = groups
          this.#compiled = new Map()
          this.#fingerprint = fingerprint
          this.#loads++
        }
      } catch (error) {
        this.options.onError?.(error)
        throw error
      } finally {
        this.#loading = undefined
      }
    })()
    return this.#loading
  }

  async check(): Promise<void> {
    try {
      if ((await filtersFingerprint(this.options.storage)) !== this.#fingerprint) await this.reload()
    } catch (error) {
      this.options.onError?.(error)
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#poller)
    await this.#unsubscribe?.()
    await this.#loading?.catch(() => {})
  }
}
