/**
 * Posts a line to a channel outside any command (a reminder, a timer) through the router's
 * `POST /api/v1/announcements`; the collector holding the channel delivers it (on `local`: an open
 * `waddlebot chat` session). Rejects when the router did not accept it, so the scheduler retries.
 */
import type { SetupContext } from '../../runtime/module.js'

export type Announce = (entityId: string, text: string) => Promise<void>

export function routerAnnouncer(ctx: SetupContext<unknown>): Announce {
  return async (entityId, text) => {
    const res = await ctx.modules.request('router', '/api/v1/announcements', {
      method: 'POST',
      body: { module: ctx.module, entity_id: entityId, responses: [{ type: 'chat', text }] },
      timeoutMs: 5000,
    })
    if (res.status !== 202) {
      const body = await res.text().catch(() => '')
      throw new Error(`router refused the announcement: HTTP ${res.status} ${body.slice(0, 200)}`)
    }
  }
}
