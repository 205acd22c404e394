/**
 * Router responses → Slack messages. Chat text is escaped (`& < >`, so no `<!channel>` can be smuggled in)
 * and split at Slack's limits without breaking a word or a multi-byte character: a message carries at most
 * 40,000 characters (`text`), and text over 3,000 characters goes out as section blocks of ≤ 3,000 each
 * (the text stays as the notification fallback). At most `maxMessages` messages per reply (the last one
 * ends with "…" when text was cut). Forms become Block Kit, and media a "Now playing" card unless the
 * reply has a chat line already; ticker/general are overlay-only
 * (the router pushes them to browser-source); moderation is returned as an action for the collector.
 */
import type { Response } from '../../contract/responses.js'
import type { ResponseRenderer } from '../core/types.js'
import { splitMessage } from '../core/split.js'

/** Slack's limit for one message's `text`. */
export const SLACK_MESSAGE_LIMIT = 40_000
/** Slack's limit for the text of one section block. */
export const SLACK_SECTION_LIMIT = 3_000
/** Slack allows 50 blocks per message. */
export const SLACK_MAX_BLOCKS = 50

export type SlackBlock = Record<string, unknown>

export type SlackRendered =
  | {
      readonly kind: 'message'
      readonly text: string
      readonly blocks?: SlackBlock[]
      readonly ephemeral?: boolean
      readonly replyTo?: string
    }
  | {
      readonly kind: 'moderation'
      readonly action: 'warn' | 'delete' | 'timeout' | 'ban'
      readonly reason: string
      readonly duration?: number
    }

export interface SlackRenderOptions {
  /** Messages per reply (default 3). */
  readonly maxMessages?: number
  readonly messageLimit?: number
  readonly sectionLimit?: number
}

/** Escapes the three characters Slack treats as control characters. */
export function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

/**
 * Splits `raw` so that every part, once escaped, fits `limit`: splitMessage at a limit lowered until the
 * escaped parts fit (escaping only grows text, so this terminates). Returns the raw parts.
 */
export function splitForSlack(raw: string, limit: number, maxParts: number): string[] {
  let effective = limit
  for (;;) {
    const parts = splitMessage(raw, effective, maxParts)
    const worst = Math.max(0, ...parts.map((p) => escapeSlack(p).length))
    if (worst <= limit || effective <= 8) return parts
    effective = Math.max(8, Math.floor((effective * limit) / worst) - 1)
  }
}

function chatMessages(
  raw: string,
  maxParts: number,
  options: Required<SlackRenderOptions>,
  extra: { ephemeral?: boolean; replyTo?: string },
): SlackRendered[] {
  return splitForSlack(raw, options.messageLimit, maxParts).map((part) => {
    const text = escapeSlack(part)
    if (text.length <= options.sectionLimit) return { kind: 'message', text, ...extra }
    const sections = splitForSlack(part, options.sectionLimit, SLACK_MAX_BLOCKS)
    const blocks = sections.map((s) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: escapeSlack(s), verbatim: true },
    }))
    return { kind: 'message', text, blocks, ...extra }
  })
}

const plain = (text: string, max = SLACK_SECTION_LIMIT) => ({
  type: 'plain_text',
  text: [...text].slice(0, max).join('') || ' ',
  emoji: true,
})

function mediaMessage(r: Extract<Response, { type: 'media' }>): SlackRendered {
  const what = [r.title, r.artist].filter(Boolean).join(' — ') || r.media_type
  const line = `Now playing: ${what}`
  const section: SlackBlock = { type: 'section', text: { type: 'mrkdwn', text: `*Now playing:* ${escapeSlack(what)}` } }
  if (r.art_url && /^https?:\/\//.test(r.art_url))
    section.accessory = { type: 'image', image_url: r.art_url, alt_text: what.slice(0, 2000) }
  const blocks: SlackBlock[] = [section]
  if (r.media_url && /^https?:\/\//.test(r.media_url)) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `<${r.media_url.replaceAll('|', '%7C').replaceAll('>', '%3E')}|${r.media_type}>` },
      ],
    })
  }
  return { kind: 'message', text: escapeSlack(line), blocks }
}

function fieldLine(field: Record<string, unknown>): string {
  const label = String(field.label ?? field.name ?? 'field')
  const notes = [String(field.type ?? 'text'), field.required ? 'required' : undefined].filter(Boolean).join(', ')
  const options = Array.isArray(field.options)
    ? `\n${field.options.map((o) => escapeSlack(String(typeof o === 'object' && o ? ((o as Record<string, unknown>).label ?? (o as Record<string, unknown>).value) : o))).join(' · ')}`
    : ''
  return `*${escapeSlack(label)}* (${notes})${options}`
}

function formMessage(r: Extract<Response, { type: 'form' }>): SlackRendered {
  const shown = r.fields.slice(0, SLACK_MAX_BLOCKS - 2)
  const blocks: SlackBlock[] = [{ type: 'header', text: plain(r.title || 'Form', 150) }]
  for (const f of shown)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: [...fieldLine(f)].slice(0, SLACK_SECTION_LIMIT).join('') },
    })
  if (r.fields.length > shown.length)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${r.fields.length - shown.length} more fields` }],
    })
  const text = `${escapeSlack(r.title)}: ${shown.map((f) => escapeSlack(String(f.label ?? f.name ?? 'field'))).join(', ')}`
  return { kind: 'message', text: [...text].slice(0, SLACK_MESSAGE_LIMIT).join(''), blocks }
}

/** The Slack renderer: chat/media/form → messages (capped per reply), moderation → actions. */
export function createSlackRenderer(options: SlackRenderOptions = {}): ResponseRenderer<SlackRendered> {
  const o: Required<SlackRenderOptions> = {
    maxMessages: options.maxMessages ?? 3,
    messageLimit: options.messageLimit ?? SLACK_MESSAGE_LIMIT,
    sectionLimit: options.sectionLimit ?? SLACK_SECTION_LIMIT,
  }
  return {
    render(responses) {
      const out: SlackRendered[] = []
      let messages = 0
      // Media is an overlay; its card is shown only when no chat line (e.g. "Now playing…") says it already.
      const hasChat = responses.some((r) => r.type === 'chat')
      for (const r of responses) {
        if (r.type === 'moderation') {
          out.push({
            kind: 'moderation',
            action: r.action,
            reason: r.reason,
            ...(r.duration !== undefined ? { duration: r.duration } : {}),
          })
          continue
        }
        if (messages >= o.maxMessages) continue
        let rendered: SlackRendered[] = []
        if (r.type === 'chat') {
          rendered = chatMessages(r.text, o.maxMessages - messages, o, {
            ...(r.ephemeral ? { ephemeral: true } : {}),
            ...(r.reply_to ? { replyTo: r.reply_to } : {}),
          })
        } else if (r.type === 'media') rendered = hasChat ? [] : [mediaMessage(r)]
        else if (r.type === 'form') rendered = [formMessage(r)]
        messages += rendered.length
        out.push(...rendered)
      }
      return out
    },
  }
}
