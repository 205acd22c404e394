/** `GET /coordination/stats`: counts by platform, status and claim state, and claims per container. */
import { sql } from '../../../runtime/storage/sql.js'
import type { Storage } from '../../../runtime/storage/types.js'
import type { ClaimCounts, CoordinationStats, CoordinationTimings, EntityStatus } from './types.js'

type ClaimState = 'claimed' | 'unclaimed' | 'expired'

interface GroupRow {
  platform: string
  status: string
  claimed_by: string | null
  claim: ClaimState
  n: number
}

interface MutableCounts {
  total: number
  claimed: number
  unclaimed: number
  expired: number
  by_status: Record<EntityStatus, number>
}

const emptyCounts = (): MutableCounts => ({
  total: 0,
  claimed: 0,
  unclaimed: 0,
  expired: 0,
  by_status: { offline: 0, live: 0, error: 0 },
})

function add(counts: MutableCounts, row: GroupRow): void {
  const n = Number(row.n)
  counts.total += n
  counts[row.claim] += n
  const status = row.status as EntityStatus
  counts.by_status[status] = (counts.by_status[status] ?? 0) + n
}

/** One grouped read of the table (a consistent snapshot on both dialects). */
export async function computeStats(
  storage: Storage,
  now: number,
  timings: CoordinationTimings,
): Promise<CoordinationStats> {
  const rows = await storage.query<GroupRow>(sql`select platform, status, claimed_by,
      case when claimed_by is null then 'unclaimed' when claim_expires > ${now} then 'claimed' else 'expired' end as claim,
      count(*) as n
    from coordination group by 1, 2, 3, 4`)
  const total = emptyCounts()
  const byPlatform: Record<string, MutableCounts> = {}
  const containers: Record<string, number> = {}
  for (const row of rows) {
    add(total, row)
    byPlatform[row.platform] ??= emptyCounts()
    add(byPlatform[row.platform]!, row)
    if (row.claim === 'claimed' && row.claimed_by !== null) {
      containers[row.claimed_by] = (containers[row.claimed_by] ?? 0) + Number(row.n)
    }
  }
  const platforms: Record<string, ClaimCounts> = byPlatform
  return {
    timestamp: now,
    ...total,
    by_platform: platforms,
    containers,
    claim_ttl_ms: timings.claimTtlMs,
    checkin_interval_ms: timings.checkinIntervalMs,
  }
}
