/**
 * Health probes for the router's module table, the overlay count read from browser-source's /metrics,
 * and the live coordination claims per container.
 */
import { metricsRegistry } from '../../runtime/metrics.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

export { fetchHealth, type HealthProbe, type ProbeResult } from '../../runtime/health-probe.js'

/** Sums every sample of a metric family in Prometheus text. */
export function sumMetric(text: string, name: string): number | null {
  let found = false
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue
    const value = Number(line.slice(line.lastIndexOf(' ') + 1))
    if (Number.isFinite(value)) {
      found = true
      sum += value
    }
  }
  return found ? sum : null
}

/** Overlays connected to browser-source: this process's gauge when it is hosted here, else its /metrics. */
export async function overlaysConnected(url: string | null, inProcess: boolean): Promise<number | null> {
  try {
    const text =
      inProcess || !url
        ? await metricsRegistry.metrics()
        : await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) })).text()
    return sumMetric(text, 'waddlebot_overlay_connections') ?? 0
  } catch {
    return null
  }
}

/** Unexpired claims per container in the coordination table. */
export async function liveClaims(db: Queryable, now = Date.now()): Promise<Record<string, number>> {
  const rows = await db.query<{ claimed_by: string; n: number | string }>(
    sql`select claimed_by, count(*) as n from coordination where claimed_by is not null and claim_expires > ${now} group by claimed_by`,
  )
  return Object.fromEntries(rows.map((r) => [r.claimed_by, Number(r.n)]))
}
