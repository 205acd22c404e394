/**
 * Twitch whispers through Helix `POST /whispers` (scope `user:manage:whispers`), within Twitch's limits:
 * 3 a second, 100 a minute, 40 distinct recipients a day, 500 characters to a recipient who never
 * whispered the bot (longer text is cut here, rather than silently by Twitch). Twitch's refusals become
 * {@link WhisperRefused} in words the operator can act on: no verified phone on the bot account, a missing
 * scope, a recipient who does not take whispers. The budget is per collector process.
 */
import { WhisperRefused, type WhisperSender } from '../core/whisper-route.js'
import { type HelixClient, HelixError } from './helix.js'

export const WHISPER_LIMITS = { perSecond: 3, perMinute: 100, recipientsPerDay: 40, maxChars: 500 } as const

const DAY_MS = 86_400_000

/** The refusal sentence for a Helix error of `POST /whispers`. */
export function whisperRefusal(error: HelixError): string {
  const m = error.message.toLowerCase()
  if (m.includes('phone')) return 'Twitch refuses whispers from a bot account without a verified phone number'
  if (error.status === 401) return 'the bot token lacks the user:manage:whispers scope (run `waddlebot auth twitch`)'
  if (error.status === 403) return 'the user does not accept whispers from the bot'
  if (error.status === 404) return 'no such Twitch user'
  if (error.status === 429) return 'Twitch whisper rate limit reached; try again later'
  return error.message
}

/** A whisper sender over Helix, within WHISPER_LIMITS; `now` is injectable for tests. */
export function createTwitchWhisper(
  helix: HelixClient,
  botLogin: string,
  now: () => number = Date.now,
  knownBotId?: () => string | undefined,
): WhisperSender {
  let botId: string | undefined
  const sent: number[] = []
  const recipients = new Map<string, number>()
  return async (toUserId, text) => {
    const t = now()
    while (sent.length > 0 && t - sent[0]! >= 60_000) sent.shift()
    for (const [user, first] of recipients) if (t - first >= DAY_MS) recipients.delete(user)
    if (sent.filter((x) => t - x < 1000).length >= WHISPER_LIMITS.perSecond || sent.length >= WHISPER_LIMITS.perMinute)
      throw new WhisperRefused('Twitch whisper rate limit reached (3 a second, 100 a minute); try again shortly')
    if (!recipients.has(toUserId) && recipients.size >= WHISPER_LIMITS.recipientsPerDay)
      throw new WhisperRefused('Twitch allows whispers to 40 different users a day; that limit is reached')
    botId ??= knownBotId?.() ?? (await helix.getUsers({ logins: [botLogin] }))[0]?.id
    if (!botId) throw new WhisperRefused(`the bot account ${botLogin} was not found on Twitch`)
    try {
      await helix.sendWhisper(botId, toUserId, [...text].slice(0, WHISPER_LIMITS.maxChars).join(''))
    } catch (error) {
      if (error instanceof HelixError && error.status !== 0) throw new WhisperRefused(whisperRefusal(error))
      throw error
    }
    sent.push(t)
    if (!recipients.has(toUserId)) recipients.set(toUserId, t)
  }
}
