/** The `local` platform: sends console lines to the router as chat events and formats what comes back. */
import type { InboundEvent, Role } from '../contract/events.js'
import type { Response } from '../contract/responses.js'
import type { EventResult } from '../contract/router.js'
import { WaddleError } from '../runtime/errors.js'

export interface ChatIdentity {
  readonly user: string
  readonly roles: readonly Role[]
  readonly channel: string
}

export async function routerIsUp(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1500) })
    return res.ok
  } catch {
    return false
  }
}

export async function sendLine(
  url: string,
  key: string | undefined,
  who: ChatIdentity,
  message: string,
): Promise<EventResult> {
  const event: InboundEvent = {
    platform: 'local',
    server_id: 'local',
    channel_id: who.channel,
    user_id: `local-${who.user.toLowerCase()}`,
    user_name: who.user,
    message,
    message_type: 'chatMessage',
    roles: [...who.roles],
  }
  let res: globalThis.Response
  try {
    res = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(15_000),
    })
  } catch (error) {
    throw new WaddleError('WB_ROUTER_UNREACHABLE', { url }, { cause: error })
  }
  const body = (await res.json().catch(() => ({}))) as EventResult & { error?: { code: string; message: string } }
  if (!res.ok)
    throw new WaddleError('WB_ROUTER_REFUSED', { url, status: res.status, reason: body.error?.message ?? 'error' })
  return body
}

/** One printable line per response; chat text as-is, everything else tagged. */
export function formatResponse(r: Response): string {
  switch (r.type) {
    case 'chat':
      return r.text
    case 'media':
      return `[overlay: ${r.media_type}] ${[r.title, r.artist].filter(Boolean).join(' — ')}`
    case 'ticker':
      return `[ticker] ${r.text}`
    case 'general':
      return `[overlay] ${r.content.replace(/<[^>]*>/g, '').slice(0, 120)}`
    case 'form':
      return `[form] ${r.title} (${r.fields.length} fields)`
    case 'moderation':
      return `[moderation: ${r.action}${r.duration ? ` ${r.duration}s` : ''}] ${r.reason}`
    case 'whisper':
      return `[whisper to ${r.to_user_id}] ${r.text}`
  }
}
