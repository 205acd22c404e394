/**
 * When plain chat (not a command) gets an AI answer: a mention of the bot, a question (the message ends with
 * the question trigger), a greeting (its first word). Pure and cheap: it runs on every chat message the
 * router hands the module, so it decides without I/O.
 */
import type { AiEventType, CommunityConfig } from './config.js'

export type ChatTrigger = 'mention' | 'question' | 'greeting'

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Whether `message` names one of `names`: `@name` anywhere, or the name as a word. */
export function mentions(message: string, names: readonly string[]): boolean {
  const lower = message.toLowerCase()
  return names.some((n) => {
    const name = n.toLowerCase().replace(/^@/, '')
    if (!name) return false
    if (lower.includes(`@${name}`)) return true
    return new RegExp(`(^|[^\\p{L}\\p{N}_])${escapeRegex(name)}($|[^\\p{L}\\p{N}_])`, 'u').test(lower)
  })
}

/** The first trigger `message` fires under `config`, or undefined. Commands never reach here. */
export function chatTrigger(message: string, config: CommunityConfig): ChatTrigger | undefined {
  const text = message.trim()
  if (!text) return undefined
  if (config.mention && mentions(text, config.bot_names)) return 'mention'
  if (config.questions && text.endsWith(config.question_trigger)) return 'question'
  if (config.greetings) {
    const first = text
      .split(/\s+/)[0]!
      .toLowerCase()
      .replace(/[!.,]+$/, '')
    if (config.greeting_words.some((w) => w.toLowerCase() === first)) return 'greeting'
  }
  return undefined
}

/** What the model is asked for a platform event (the asker is the user of the event). */
export function eventPrompt(type: AiEventType, data: Readonly<Record<string, unknown>>): string {
  switch (type) {
    case 'follow':
      return 'I just followed the channel. Welcome me in one short, warm sentence.'
    case 'subscription':
      return 'I just subscribed to the channel. Thank me in one short, enthusiastic sentence.'
    case 'raid': {
      const viewers = typeof data.viewers === 'number' ? ` with ${data.viewers} viewers` : ''
      return `I just raided the channel${viewers}. Welcome my raiders in one short, fun sentence.`
    }
  }
}
