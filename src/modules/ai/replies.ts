/** The chat lines of the ai module: platform length limits, trimming, and the one-line refusals. */

/** Longest chat message per platform (Twitch 500, Discord 2000, Slack 4000; others 500). */
export const PLATFORM_LIMITS: Readonly<Record<string, number>> = { twitch: 500, discord: 2000, slack: 4000 }

export const limitFor = (platform: string) => PLATFORM_LIMITS[platform] ?? 500

/**
 * `prefix + text` in at most `limit` characters (code points): whitespace collapsed, cut at the last word
 * boundary that fits (or mid-word when there is none near) with an ellipsis.
 */
export function fitReply(prefix: string, text: string, limit: number): string {
  const clean = text.replace(/\s+/g, ' ').trim()
  const whole = [...`${prefix}${clean}`]
  if (whole.length <= limit) return whole.join('')
  const cut = whole.slice(0, limit - 1).join('')
  const space = cut.lastIndexOf(' ')
  const body = space > cut.length * 0.6 ? cut.slice(0, space) : cut
  return `${body.replace(/[\s,;:.-]+$/, '')}…`
}

const at = (name: string) => (name ? `@${name} ` : '')

export const lines = {
  usage: (command: string) => `Usage: ${command} <question>`,
  slowDown: (name: string, seconds: number) => `${at(name)}the AI needs a breather, ask again in ${seconds} s.`,
  channelBusy: (name: string, seconds: number) => `${at(name)}lots of questions right now, ask again in ${seconds} s.`,
  communityCap: (name: string) => `${at(name)}the AI has used up today's allowance here. Back tomorrow (UTC)!`,
  userCap: (name: string) => `${at(name)}you've used up your AI questions for today. Back tomorrow (UTC)!`,
  blockedPrompt: (name: string) => `${at(name)}I can't answer that one.`,
  blockedReply: (name: string) => `${at(name)}I came up with an answer I can't post here. Try asking differently.`,
  busy: (name: string) => `${at(name)}the AI is busy, ask again in a moment.`,
  failed: (name: string) => `${at(name)}I can't answer right now, try again in a bit.`,
  timedOut: (name: string) => `${at(name)}the AI took too long to answer, try again in a bit.`,
}
