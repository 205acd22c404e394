/**
 * Router responses → Twitch outbound items. Chat is split at 500 (max `maxParts` messages per reply,
 * the last ending with `…`); an ephemeral reply becomes a whisper; forms are flattened to chat lines;
 * moderation acts on the message / user the responses answer. Media, ticker and general responses are
 * shown on overlays by the router and are not repeated in chat.
 */
import type { InboundEvent } from '../../contract/events.js'
import type { Response } from '../../contract/responses.js'
import { splitMessage } from '../core/split.js'
import type { OutboundItem, OutboundPriority } from '../core/types.js'
import { channelOfEntity } from './normalize.js'

/** Twitch's chat message limit. */
export const TWITCH_CHAT_LIMIT = 500

/** What the Twitch adapter sends. `channel` is the channel login (no `#`). */
export type TwitchPayload =
  | { readonly kind: 'say'; readonly channel: string; readonly text: string; readonly replyTo?: string }
  | { readonly kind: 'whisper'; readonly channel: string; readonly toUserId: string; readonly text: string }
  | {
      readonly kind: 'moderation'
      readonly channel: string
      readonly action: 'delete' | 'timeout' | 'ban'
      readonly reason: string
      readonly userId?: string
      readonly userName?: string
      readonly messageId?: string
      readonly durationSeconds?: number
    }

/** Chat text safe for one IRC line: no CR/LF, and not read as a `/` or `.` chat command. */
export function sanitizeChat(text: string): string {
  const line = text.replace(/[\r\n]+/g, ' ').trim()
  return /^[/.\\]/.test(line) ? `\u200b${line}` : line
}

function formText(title: string, fields: readonly Record<string, unknown>[]): string {
  const parts = fields.map((f) => {
    const label = f['label'] ?? f['name'] ?? f['title']
    const value = f['value'] ?? f['text'] ?? f['placeholder'] ?? ''
    return label !== undefined ? `${String(label)}: ${String(value)}` : String(value)
  })
  return [title, ...parts].filter((p) => p.trim() !== '').join(' · ')
}

/**
 * Renders `responses` for the channel of `entityId`.
 * @param origin the event the responses answer (moderation targets its user and message)
 */
export function renderTwitch(
  entityId: string,
  responses: readonly Response[],
  origin: InboundEvent | undefined,
  priority: OutboundPriority,
  maxParts: number,
): OutboundItem<TwitchPayload>[] {
  const channel = channelOfEntity(entityId)
  if (!channel) return []
  const items: OutboundItem<TwitchPayload>[] = []
  const say = (text: string, prio: OutboundPriority, replyTo?: string) => {
    const lines = splitMessage(sanitizeChat(text), TWITCH_CHAT_LIMIT, maxParts)
    for (const [i, line] of lines.entries()) {
      items.push({
        channel,
        priority: prio,
        payload: { kind: 'say', channel, text: line, ...(replyTo && i === 0 ? { replyTo } : {}) },
      })
    }
  }
  for (const r of responses) {
    switch (r.type) {
      case 'chat':
        if (r.ephemeral && origin?.user_id) {
          for (const text of splitMessage(sanitizeChat(r.text), TWITCH_CHAT_LIMIT, maxParts)) {
            items.push({ channel, priority, payload: { kind: 'whisper', channel, toUserId: origin.user_id, text } })
          }
        } else {
          say(r.text, priority, r.reply_to)
        }
        break
      case 'form':
        say(formText(r.title, r.fields), priority)
        break
      case 'moderation':
        if (r.action === 'warn') {
          say(origin ? `@${origin.display_name ?? origin.user_name} ${r.reason}` : r.reason, 'moderation')
        } else {
          items.push({
            channel,
            priority: 'moderation',
            payload: {
              kind: 'moderation',
              channel,
              action: r.action,
              reason: r.reason,
              ...(origin?.user_id ? { userId: origin.user_id, userName: origin.user_name } : {}),
              ...(origin?.message_id ? { messageId: origin.message_id } : {}),
              ...(r.action === 'timeout' ? { durationSeconds: r.duration ?? 600 } : {}),
            },
          })
        }
        break
      default:
        break // media / ticker / general: overlays (the router forwards them to browser-source)
    }
  }
  return items
}
