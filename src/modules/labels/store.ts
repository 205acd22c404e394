/**
 * The label store: add (with its limit held exactly under concurrency), remove, list, check, search and
 * bulk apply, over `labels_applied` / `labels_targets`, with a per-target cache invalidated on every change.
 *
 * Exact limits: every add runs one transaction that first creates (if missing) and updates the target's row
 * in `labels_targets`. On Postgres that update holds the row lock until commit, so concurrent adds to one
 * target run their count + insert one after another; on SQLite the transaction is `begin immediate` (one
 * writer at a time, across processes too). Expired labels are deleted in the same transaction before the
 * count, so they never hold a slot.
 */
import type { Cache } from '../../runtime/cache/types.js'
import { WaddleError } from '../../runtime/errors.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import {
  type LabelApply,
  type LabelCheck,
  type LabelsConfig,
  limitFor,
  type Target,
  type TargetType,
} from './schemas.js'

export interface LabelRow {
  readonly community_id: string
  readonly target_type: TargetType
  readonly target_id: string
  readonly label: string
  readonly target_name: string | null
  readonly applied_by: string
  readonly applied_at: number
  readonly expires_at: number | null
}

export interface SearchHit {
  readonly target_type: TargetType
  readonly target_id: string
  readonly target_name: string | null
  readonly labels: string[]
}

const SETTINGS: Record<TargetType, string> = {
  user: 'max_per_user',
  community: 'max_per_community',
  entity: 'max_per_target',
  module: 'max_per_target',
}

function toRow(r: Record<string, unknown>): LabelRow {
  return {
    community_id: String(r.community_id),
    target_type: r.target_type as TargetType,
    target_id: String(r.target_id),
    label: String(r.label),
    target_name: r.target_name == null ? null : String(r.target_name),
    applied_by: String(r.applied_by),
    applied_at: Number(r.applied_at),
    expires_at: r.expires_at == null ? null : Number(r.expires_at),
  }
}

const where = (t: Target) =>
  sql`community_id = ${t.community_id} and target_type = ${t.target_type} and target_id = ${t.target_id}`

export class LabelStore {
  /** Statements run against the database by reads (list misses); tests check the cache with it. */
  reads = 0

  constructor(
    private readonly storage: Storage,
    private readonly cache: Cache,
    private readonly config: LabelsConfig,
    readonly now: () => number = Date.now,
  ) {}

  #key(t: Target): string {
    return `labels:${encodeURIComponent(t.community_id)}:${t.target_type}:${encodeURIComponent(t.target_id)}`
  }

  /** Adds `label` to the target, or refreshes its expiry when it is there already. Throws WB_LABEL_LIMIT. */
  async apply(input: LabelApply): Promise<{ label: LabelRow; created: boolean }> {
    const now = this.now()
    const expiresAt = input.ttl_ms !== undefined ? now + input.ttl_ms : (input.expires_at ?? null)
    if (expiresAt !== null && expiresAt <= now)
      throw new WaddleError('WB_INPUT_INVALID', { field: 'expires_at', reason: 'is in the past' })
    const limit = limitFor(this.config, input.target_type)
    const by = input.applied_by ?? 'api'
    const name = input.target_name?.toLowerCase() ?? null
    const created = await this.storage.transaction(async (tx) => {
      await tx.execute(sql`insert into labels_targets (community_id, target_type, target_id, updated_at)
        values (${input.community_id}, ${input.target_type}, ${input.target_id}, ${now})
        on conflict (community_id, target_type, target_id) do nothing`)
      await tx.execute(sql`update labels_targets set updated_at = ${now} where ${where(input)}`)
      await tx.execute(
        sql`delete from labels_applied where ${where(input)} and expires_at is not null and expires_at <= ${now}`,
      )
      const had = await tx.one(sql`select label from labels_applied where ${where(input)} and label = ${input.label}`)
      if (had) {
        await tx.execute(sql`update labels_applied set expires_at = ${expiresAt}, applied_by = ${by},
          target_name = coalesce(${name}, target_name) where ${where(input)} and label = ${input.label}`)
        return false
      }
      const row = await tx.one<{ n: number | string }>(
        sql`select count(*) as n from labels_applied where ${where(input)}`,
      )
      if (Number(row?.n ?? 0) >= limit)
        throw new WaddleError('WB_LABEL_LIMIT', {
          target: `${input.target_type} ${input.target_id}`,
          limit,
          community: input.community_id,
          setting: SETTINGS[input.target_type],
        })
      await tx.execute(sql`insert into labels_applied
        (community_id, target_type, target_id, label, target_name, applied_by, applied_at, expires_at)
        values (${input.community_id}, ${input.target_type}, ${input.target_id}, ${input.label}, ${name}, ${by}, ${now}, ${expiresAt})`)
      return true
    })
    await this.cache.delete(this.#key(input))
    return {
      created,
      label: {
        community_id: input.community_id,
        target_type: input.target_type,
        target_id: input.target_id,
        label: input.label,
        target_name: name,
        applied_by: by,
        applied_at: now,
        expires_at: expiresAt,
      },
    }
  }

  /** Removes a label; false when the target did not have it. */
  async remove(input: LabelCheck): Promise<boolean> {
    const { changes } = await this.storage.execute(
      sql`delete from labels_applied where ${where(input)} and label = ${input.label}`,
    )
    await this.cache.delete(this.#key(input))
    return changes > 0
  }

  /** The target's labels that have not expired, from the cache when it has them. */
  async list(t: Target): Promise<LabelRow[]> {
    const now = this.now()
    const key = this.#key(t)
    let rows = await this.cache.get<LabelRow[]>(key)
    if (rows === undefined) {
      this.reads++
      rows = (
        await this.storage.query(
          sql`select * from labels_applied where ${where(t)} and (expires_at is null or expires_at > ${now}) order by label`,
        )
      ).map(toRow)
      if (this.config.cache_ttl_ms > 0) await this.cache.set(key, rows, this.config.cache_ttl_ms)
    }
    return rows.filter((r) => r.expires_at === null || r.expires_at > now)
  }

  async has(q: LabelCheck): Promise<boolean> {
    return (await this.list(q)).some((r) => r.label === q.label)
  }

  /** Targets of a community carrying every one of `labels` (not expired), at most `limit`. */
  async search(q: {
    community_id: string
    label: string[]
    target_type?: TargetType | undefined
    limit: number
  }): Promise<SearchHit[]> {
    const now = this.now()
    const rows = await this.storage.query(sql`select target_type, target_id, max(target_name) as target_name
      from labels_applied
      where community_id = ${q.community_id} and label in (${sql.join(q.label)})
        and (expires_at is null or expires_at > ${now})
        ${q.target_type ? sql`and target_type = ${q.target_type}` : sql.empty}
      group by target_type, target_id
      having count(distinct label) = ${q.label.length}
      order by target_type, target_id
      limit ${q.limit}`)
    return rows.map((r) => ({
      target_type: r.target_type as TargetType,
      target_id: String(r.target_id),
      target_name: r.target_name == null ? null : String(r.target_name),
      labels: q.label,
    }))
  }

  /** How many targets carry each label in a community (not expired), most used first. */
  async counts(communityId: string): Promise<{ label: string; targets: number }[]> {
    const rows = await this.storage.query<{ label: string; n: number | string }>(sql`select label, count(*) as n
      from labels_applied where community_id = ${communityId} and (expires_at is null or expires_at > ${this.now()})
      group by label order by count(*) desc, label limit 50`)
    return rows.map((r) => ({ label: r.label, targets: Number(r.n) }))
  }

  /** The user target last labelled under `name` (lower-case) in a community, if any. */
  async userByName(communityId: string, name: string): Promise<string | undefined> {
    const row = await this.storage.one<{ target_id: string }>(sql`select target_id from labels_applied
      where community_id = ${communityId} and target_type = 'user' and target_name = ${name.toLowerCase()}
      order by applied_at desc limit 1`)
    return row?.target_id
  }
}
