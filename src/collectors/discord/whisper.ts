/**
 * Discord DMs for `whisper` responses: `POST /users/@me/channels {recipient_id}` opens (or finds) the DM
 * channel, then the text is posted there, split at Discord's 2000-character limit. Discord refuses a DM to a
 * user who shares no server with the bot or turned off DMs from server members (code 50007): that becomes a
 * {@link WhisperRefused} saying so.
 */
import type { REST } from 'discord.js'
import { splitMessage } from '../core/split.js'
import { WhisperRefused, type WhisperSender } from '../core/whisper-route.js'
import { route } from './discord-api.js'
import { DEFAULT_MAX_PARTS, DISCORD_MESSAGE_LIMIT } from './render.js'

/** Discord's "Cannot send messages to this user". */
export const CANNOT_DM = 50007

/** A DM sender over `rest()` (the gateway's REST client once connected). */
export function createDiscordWhisper(rest: () => REST): WhisperSender {
  return async (toUserId, text) => {
    try {
      const channel = (await rest().post('/users/@me/channels', { body: { recipient_id: toUserId } })) as {
        id?: string
      }
      if (!channel.id) throw new WhisperRefused(`Discord opened no DM channel for user ${toUserId}`)
      for (const part of splitMessage(text, DISCORD_MESSAGE_LIMIT, DEFAULT_MAX_PARTS))
        await rest().post(route.channelMessages(channel.id), { body: { content: part } })
    } catch (error) {
      if (error instanceof WhisperRefused) throw error
      const { status, code } = error as { status?: unknown; code?: unknown }
      if (code === CANNOT_DM)
        throw new WhisperRefused(`the user does not accept direct messages from the bot (Discord ${CANNOT_DM})`)
      if (typeof status === 'number' && status >= 400 && status < 500)
        throw new WhisperRefused(`Discord refused the DM (${(error as Error).message})`)
      throw error
    }
  }
}
