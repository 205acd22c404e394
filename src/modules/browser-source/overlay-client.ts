/**
 * Pushing to overlays, for any module: media, ticker and general responses are shown on the community's OBS
 * overlays by posting them to browser-source (`POST /browser/source/display`), reached through
 * `ctx.modules` (its configured URL, or bind address + port). When browser-source is not running that is
 * logged (at most once a minute), never fatal, and never delays the chat reply.
 */
import type { Response } from '../../contract/responses.js'
import type { Logger } from '../../runtime/logger.js'
import type { ModuleClients } from '../../runtime/module-clients.js'
import { OVERLAY_TYPES } from './tokens.js'

const OVERLAY_RESPONSES: ReadonlySet<string> = new Set(OVERLAY_TYPES)

export interface OverlayTarget {
  readonly entityId: string
  readonly communityId: string
}

export class OverlayClient {
  #lastWarn = 0
  constructor(
    private readonly modules: ModuleClients,
    private readonly log: Logger,
  ) {}

  /** Fire-and-forget; resolves when every post settled (tests await it). */
  forward(target: OverlayTarget, responses: readonly Response[]): Promise<void> {
    const overlay = responses.filter((r) => OVERLAY_RESPONSES.has(r.type))
    if (overlay.length === 0) return Promise.resolve()
    return Promise.all(overlay.map((r) => this.#post(target, r))).then(() => undefined)
  }

  async #post(target: OverlayTarget, response: Response): Promise<void> {
    const { type, ...data } = response
    try {
      const res = await this.modules.request('browser-source', '/browser/source/display', {
        body: { community_id: target.communityId, entity_id: target.entityId, type, data },
        timeoutMs: 2000,
      })
      if (!res.ok) this.#warn(`browser-source answered ${res.status}`)
      await res.body?.cancel()
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
