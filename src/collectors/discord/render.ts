/**
 * Router responses → what the Discord collector sends. Chat is split at Discord's 2000-character limit
 * (never inside a word or a multi-byte character) and capped per reply; a form becomes an embed with one
 * field per form field; media becomes a "Now playing" embed (title, artist, thumbnail); ticker and general
 * responses are overlay-only (the router pushes them to browser-source) and render nothing here;
 * moderation is passed on as an action for moderation.ts.
 */
import type { Response } from '../../contract/responses.js'
import type { ResponseRenderer } from '../core/types.js'
import { splitMessage } from '../core/split.js'

/** Discord's message content limit. */
export const DISCORD_MESSAGE_LIMIT = 2000
/** Messages one chat response may become (the last part ends with '…' when cut). */
export const DEFAULT_MAX_PARTS = 5
/** The blurple Discord uses for its own embeds (upstream's default colour). */
export const EMBED_COLOR = 0x5865f2

/** An embed as Discord's REST API takes it. */
export interface DiscordEmbed {
  readonly title?: string
  readonly description?: string
  readonly url?: string
  readonly color?: number
  readonly author?: { readonly name: string }
  readonly thumbnail?: { readonly url: string }
  readonly fields?: readonly { readonly name: string; readonly value: string; readonly inline?: boolean }[]
}

/** A message to send (content and/or embeds). */
export interface DiscordMessage {
  readonly kind: 'message'
  readonly content?: string
  readonly embeds?: readonly DiscordEmbed[]
  /** Only honoured in an interaction reply (a channel message cannot be ephemeral). */
  readonly ephemeral?: boolean
  /** Message id to reply to. */
  readonly replyTo?: string
}

/** A moderation action to carry out (moderation.ts). */
export interface DiscordModeration {
  readonly kind: 'moderation'
  readonly action: 'warn' | 'delete' | 'timeout' | 'ban'
  readonly reason: string
  /** Seconds (timeout). */
  readonly duration?: number
}

/** What one router response renders to. */
export type DiscordOutput = DiscordMessage | DiscordModeration

/** Embed limits (Discord API): title 256, field name 256, field value 1024, 25 fields, description 4096. */
const LIMITS = { title: 256, name: 256, value: 1024, fields: 25, description: 4096 } as const

/** Cuts `text` to `limit` characters at a grapheme boundary, ending with '…' when cut. */
function clip(text: string, limit: number): string {
  return splitMessage(text, limit, 1)[0] ?? ''
}

function str(value: unknown): string {
  if (value === undefined || value === null) return ''
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** One form field → an embed field (label/name/key as the name; value/default/placeholder as the value). */
function formField(field: Record<string, unknown>, index: number) {
  const name = str(field.label ?? field.name ?? field.title ?? field.key) || `Field ${index + 1}`
  const value = str(field.value ?? field.default ?? field.placeholder ?? field.description ?? field.type)
  return { name: clip(name, LIMITS.name), value: clip(value, LIMITS.value) || '\u200b', inline: field.inline === true }
}

const httpUrl = (url: string | undefined): url is string => url !== undefined && /^https?:\/\//i.test(url)

/** Renders one response list for Discord. */
export function renderDiscord(responses: readonly Response[], options: { maxParts?: number } = {}): DiscordOutput[] {
  const out: DiscordOutput[] = []
  for (const r of responses) {
    switch (r.type) {
      case 'chat':
        for (const [i, part] of splitMessage(
          r.text,
          DISCORD_MESSAGE_LIMIT,
          options.maxParts ?? DEFAULT_MAX_PARTS,
        ).entries()) {
          out.push({
            kind: 'message',
            content: part,
            ...(r.ephemeral ? { ephemeral: true } : {}),
            ...(r.reply_to && i === 0 ? { replyTo: r.reply_to } : {}),
          })
        }
        break
      case 'form':
        out.push({
          kind: 'message',
          embeds: [
            {
              title: clip(r.title, LIMITS.title),
              color: EMBED_COLOR,
              fields: r.fields.slice(0, LIMITS.fields).map(formField),
            },
          ],
        })
        break
      case 'media': {
        const embed: DiscordEmbed = {
          author: { name: r.media_type === 'audio' ? 'Now playing' : 'Now showing' },
          title: clip(r.title ?? 'Untitled', LIMITS.title),
          color: EMBED_COLOR,
          ...(r.artist ? { description: clip(r.artist, LIMITS.description) } : {}),
          ...(httpUrl(r.media_url) ? { url: r.media_url } : {}),
          ...(httpUrl(r.art_url) ? { thumbnail: { url: r.art_url } } : {}),
        }
        out.push({ kind: 'message', embeds: [embed] })
        break
      }
      case 'moderation':
        out.push({
          kind: 'moderation',
          action: r.action,
          reason: r.reason,
          ...(r.duration !== undefined ? { duration: r.duration } : {}),
        })
        break
      default:
        break // ticker / general: overlays only
    }
  }
  return out
}

/** The ResponseRenderer of the collector contract, for Discord. */
export const discordRenderer: ResponseRenderer<DiscordOutput> = { render: (responses) => renderDiscord(responses) }
