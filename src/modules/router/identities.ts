/**
 * The router's one step for identity: every event's user → the person's identity id, when the identity
 * module runs in this bot (hosted here or elsewhere on the same database). The resolver is the identity
 * module's public face (identity/public.ts): it reads `identity_links` (creating a row for an account seen
 * the first time, refreshing its names on a rename) and caches per process, dropping accounts when
 * `identity:changed` is published on link/unlink. See docs/architecture.md "Identity in the router".
 */
import type { InboundEvent } from '../../contract/events.js'
import type { Logger } from '../../runtime/logger.js'
import type { SetupContext } from '../../runtime/module.js'
import { createIdentityResolver, type IdentityResolver } from '../identity/public.js'

/** Resolves the user of an event to an identity id (undefined: keyed on the platform user id). */
export interface EventIdentities {
  resolve(event: InboundEvent): Promise<string | undefined>
  close(): Promise<void>
}

/** How long identity resolution pauses after a failure (e.g. the identity tables are not migrated yet). */
const PAUSE_MS = 30_000

/** The resolver, or undefined when the bot does not run the identity module. */
export async function identityResolverFor(ctx: SetupContext): Promise<EventIdentities | undefined> {
  if (!ctx.modules.runnable().includes('identity')) return undefined
  return withPause(await createIdentityResolver(ctx.storage, ctx.cache), ctx.log)
}

/**
 * A failure (the identity module starts in another process and has not migrated its tables yet, the
 * database hiccups) does not stop the event: it goes on keyed on the platform user id, resolution pauses
 * for PAUSE_MS, and the failure is logged once per pause.
 */
function withPause(resolver: IdentityResolver, log: Logger): EventIdentities {
  let pausedUntil = 0
  return {
    async resolve(event) {
      if (pausedUntil > Date.now()) return undefined
      try {
        return await resolver.resolve(event)
      } catch (err) {
        pausedUntil = Date.now() + PAUSE_MS
        // The identity module has not created its tables yet (it starts elsewhere, or later): expected, not a fault.
        const notYet = /no such table|relation .* does not exist/i.test((err as Error).message ?? '')
        log[notYet ? 'info' : 'warn'](
          { err: notYet ? (err as Error).message : err, pause_ms: PAUSE_MS },
          notYet
            ? 'identity tables not there yet (the identity module has not started); limits and roles use the platform user id'
            : 'identity not resolved; limits and roles use the platform user id',
        )
        return undefined
      }
    },
    close: () => resolver.close(),
  }
}
