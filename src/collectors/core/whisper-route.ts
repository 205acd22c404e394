/**
 * `POST /<platform>/whisper {to_user_id, text}` on a collector (service or module key): sends one private
 * message now, not through the outbound queue, so the caller learns whether the platform took it. The router
 * calls it for every `whisper` response (and records a refusal in the execution log and the reply's `error`);
 * the identity module calls it to send link codes on the target platform. 200 `{delivered: true}`, 502
 * WB_WHISPER_UNDELIVERED with the platform's reason, 503 WB_WHISPER_UNAVAILABLE when this collector cannot
 * send whispers at all (no token).
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Platform } from '../../contract/events.js'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { Logger } from '../../runtime/logger.js'

/** Sends one private message; throws {@link WhisperRefused} when the platform refuses it. */
export type WhisperSender = (toUserId: string, text: string) => Promise<void>

/** A refusal by the platform, in words a user can act on ("the bot's account has no verified phone"). */
export class WhisperRefused extends Error {
  override get name(): string {
    return 'WhisperRefused'
  }
}

export const whisperRequestSchema = z.object({
  to_user_id: z.string().min(1).max(256),
  text: z.string().min(1).max(10_000),
})

/** Registers the route; `sender()` is undefined while this collector cannot whisper (the reason says why). */
export function whisperRoute(
  app: FastifyInstance,
  o: {
    platform: Platform
    auth: AuthOptions
    log: Logger
    sender: () => WhisperSender | undefined
    unavailableReason: () => string
  },
): void {
  const label = `POST /${o.platform}/whisper`
  app.post(`/${o.platform}/whisper`, { onRequest: requireKey(o.auth, ['module'], label) }, async (req) => {
    await authenticate(req, o.auth, ['module'], label)
    // Collectors that verify webhook signatures keep bodies raw (a string); parse those here.
    let body: unknown = req.body
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body)
      } catch {
        throw new WaddleError('WB_INPUT_INVALID', { field: 'body', reason: 'is not JSON' })
      }
    }
    const parsed = whisperRequestSchema.safeParse(body)
    if (!parsed.success) {
      const { field, message } = describeIssue(parsed.error)
      throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
    }
    const send = o.sender()
    if (!send) throw new WaddleError('WB_WHISPER_UNAVAILABLE', { platform: o.platform, reason: o.unavailableReason() })
    const { to_user_id: user, text } = parsed.data
    try {
      await send(user, text)
    } catch (error) {
      const reason =
        error instanceof WhisperRefused ? error.message : `the platform failed: ${(error as Error).message}`
      o.log.warn({ platform: o.platform, user, reason }, 'whisper not delivered')
      throw new WaddleError('WB_WHISPER_UNDELIVERED', { platform: o.platform, user, reason }, { cause: error })
    }
    o.log.info({ platform: o.platform, user }, 'whisper delivered')
    return { delivered: true }
  })
}
