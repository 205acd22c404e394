/**
 * Resource requests of the generated manifests, from the measured figures of docs/performance.md (the
 * `npm run bench` table; test/commands/deploy.test.ts fails when the table and these numbers part ways):
 *
 * - `start_rss_mb` 118.4 MB: `waddlebot start` with every available module (20 on 2026-12-05) in one process,
 *   once healthy. One module alone in its container loads less, so this is its memory request rounded up:
 *   no container is scheduled where it cannot even start.
 * - `bare fastify process RSS` 61.1 MB (the same row's baseline): the floor of any Node HTTP process.
 * - The HTTP events route costs 49.8 µs of CPU per event (performance.md, `http_vs_fastify_ratio`'s label: every
 *   thread of the router's process), so 100 m (0.1 core) carries ≈ 2,000 events/s on the router; every other
 *   module does less per event.
 *
 * Limits: memory only (a CPU limit throttles a latency-sensitive process for nothing), twice the request,
 * because the heap grows with the sessions kept for an hour (performance.md, `http_p99_ms_at_5k`).
 */
export const MEASURED = {
  /** docs/performance.md `start_rss_mb`, MB. */
  startRssMb: 118.4,
  /** docs/performance.md `start_rss_mb` baseline (bare fastify process RSS), MB. */
  bareFastifyRssMb: 61.1,
  /** docs/performance.md `http_vs_fastify_ratio` label, CPU µs per request of the full events route. */
  routerCpuMicrosPerEvent: 49.8,
} as const

export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string }
  readonly limits: { readonly memory: string }
}

/** Requests and limits for one module's container. */
export function resourcesFor(kind: string): Resources {
  const memoryMi = Math.ceil(MEASURED.startRssMb)
  return {
    requests: { cpu: kind === 'router' ? '100m' : '50m', memory: `${memoryMi}Mi` },
    limits: { memory: `${memoryMi * 2}Mi` },
  }
}

/** Events per second one 100 m router request carries, from the measured CPU cost per event. */
export function routerEventsPerTenthCore(): number {
  return Math.floor(100_000 / MEASURED.routerCpuMicrosPerEvent)
}
