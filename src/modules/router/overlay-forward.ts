/**
 * Media, ticker and general responses are also shown on the community's OBS overlays: they are posted to
 * browser-source (`POST /browser/source/display`). When browser-source is not running that is logged (at
 * most once a minute), never fatal, and never delays the chat reply.
 */
import type { Response } from '../../contract/responses.js'
import type { Logger } from '../../runtime/logger.js'

const OVERLAY_TYPES = new Set(['media', 'ticker', 'general'])

export interface OverlayTarget {
  readonly entityId: string
  readonly communityId: string
}

export class OverlayForwarder {
  #lastWarn = 0
  constructor(private readonly url: () => string, private readonly serviceKey: string, private readonly log: Logger) {}

  /** Fire-and-forget; resolves when every post settled (tests await it). */
  forward(target: OverlayTarget, responses: readonly Response[]): Promise<void> {
    const overlay = responses.filter((r) => OVERLAY_TYPES.has(r.type))
    if (overlay.length === 0) return Promise.resolve()
    return Promise.all(overlay.map((r) => this.#post(target, r))).then(() => undefined)
  }

  async #post(target: OverlayTarget, response: Response): Promise<void> {
    const { type, ...data } = response
    try {
      const res = await fetch(`${this.url()}/browser/source/display`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-service-key': this.serviceKey },
        body: JSON.stringify({ community_id: target.communityId, entity_id: target.entityId, type, data }),
        signal: AbortSignal.timeout(2000),
      })
      if (!res.ok) this.#warn(`browser-source answered ${res.status}`)
    } catch (error) {
      this.#warn(`browser-source unreachable: ${(error as Error).message}`)
    }
  }

  #warn(message: string): void {
    const now = Date.now()
    if (now - this.#lastWarn < 60_000) {
      this.log.debug(message)
      return
    }
    this.#lastWarn = now
    this.log.warn(`${message}; overlay responses are not shown until it runs`)
  }
}
