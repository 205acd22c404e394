/** Test support: a container claiming in small steps until it gets nothing more (used in and out of process). */
import type { Coordination } from '../../../src/modules/router/coordination/types.js'

/** Entities claimed per call beyond what the container already holds, so containers race many times. */
export const CLAIM_STEP = 5

/**
 * Claims `platform` entities for `containerId` (which already holds `held`) until a claim returns nothing
 * (it holds `cap`, or nothing is free). Returns every entity id it was given, in order.
 */
export async function claimUntilFull(
  coordination: Coordination,
  platform: string,
  containerId: string,
  cap: number,
  held = 0,
): Promise<string[]> {
  const mine: string[] = []
  for (;;) {
    const got = await coordination.claim(platform, containerId, Math.min(cap, held + mine.length + CLAIM_STEP))
    if (got.length === 0) return mine
    for (const entity of got) mine.push(entity.entity_id)
    // Let the other containers in this process interleave between calls.
    await new Promise((resolve) => setImmediate(resolve))
  }
}
