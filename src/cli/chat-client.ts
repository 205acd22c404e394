/**
 * The `local` platform: sends console lines to the router as chat events and formats what comes back, and
 * follows the messages pushed to the channel later (reminders, timers, late replies).
 */
import { z } from 'zod'
import type { InboundEvent, Role } from '../contract/events.js'
import { type Response, responseSchema } from '../contract/responses.js'
import type { EventResult } from '../contract/router.js'
import { WaddleError } from '../runtime/errors.js'
import { SseParser } from './monitor-client.js'

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

/** Pushed messages for one chat channel, until `close()`. */
export interface PushedResponses {
  close(): void
}

/**
 * Follows the router's `GET /api/v1/responses/stream` for `entityId` (the `local` platform has no collector to
 * deliver reminders, timers and late command replies): `onResponses` hears each pushed message. Best effort:
 * an older router without the route, or a dropped stream, only means pushed messages are not shown.
 */
export async function followPushed(
  url: string,
  key: string | undefined,
  entityId: string,
  onResponses: (responses: Response[]) => void,
): Promise<PushedResponses | undefined> {
  const abort = new AbortController()
  let res: globalThis.Response
  try {
    res = await fetch(`${url}/api/v1/responses/stream?entity_id=${encodeURIComponent(entityId)}`, {
      headers: { accept: 'text/event-stream', ...(key ? { 'x-api-key': key } : {}) },
      signal: abort.signal,
    })
  } catch {
    return undefined
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {})
    return undefined
  }
  const parser = new SseParser()
  const decoder = new TextDecoder()
  const reader = res.body.getReader()
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      for (const m of parser.push(decoder.decode(value, { stream: true }))) {
        if ('comment' in m || m.event !== 'responses') continue
        const parsed = pushedSchema.safeParse(JSON.parse(m.data))
        if (parsed.success && parsed.data.responses.length) onResponses(parsed.data.responses)
      }
    }
  })().catch(() => {})
  return {
    close() {
      abort.abort()
      reader.cancel().catch(() => {})
    },
  }
}

const pushedSchema = z.object({ responses: z.array(z.unknown()) }).transform((v) => ({
  responses: v.responses.flatMap((r): Response[] => {
    const ok = responseSchema.safeParse(r)
    return ok.success ? [ok.data] : []
  }),
}))
