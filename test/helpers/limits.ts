/**
 * Helpers for rate-limit acceptance tests: fire N requests at once, spread round-robin over several
 * targets (router processes), and tally what came back. Target-agnostic: `send` does the request and says
 * whether the attempt was allowed, so the same helper drives the limits fixture or real routers
 * (`POST /api/v1/events`, allowed ⇔ `outcome === 'command'`, notice ⇔ a chat response on `rate_limited`).
 */

/** What one request reports. */
export interface Attempt {
  readonly allowed: boolean
  /** The chat line the refused user was shown, if any. */
  readonly notice?: string | undefined
}

/** Totals of {@link fireSplit}. */
export interface SplitTally {
  readonly allowed: number
  readonly refused: number
  /** Refusals that carried a notice. */
  readonly notices: readonly string[]
  /** Per target, in the order given: how many requests it got and allowed. */
  readonly perTarget: readonly { readonly sent: number; readonly allowed: number }[]
}

/**
 * Sends `total` requests concurrently (all started before any is awaited), request `i` to
 * `targets[i % targets.length]`, and tallies the answers. Rejects if any request fails.
 */
export async function fireSplit<T>(
  targets: readonly T[],
  total: number,
  send: (target: T, i: number) => Promise<Attempt>,
): Promise<SplitTally> {
  if (targets.length === 0) throw new Error('fireSplit: no targets')
  const perTarget = targets.map(() => ({ sent: 0, allowed: 0 }))
  const attempts = await Promise.all(
    Array.from({ length: total }, async (_, i) => {
      const slot = i % targets.length
      perTarget[slot]!.sent++
      const attempt = await send(targets[slot]!, i)
      if (attempt.allowed) perTarget[slot]!.allowed++
      return attempt
    }),
  )
  const notices = attempts.flatMap((a) => (!a.allowed && a.notice !== undefined ? [a.notice] : []))
  const allowed = attempts.filter((a) => a.allowed).length
  return { allowed, refused: total - allowed, notices, perTarget }
}
