/**
 * Carries out outbound Slack operations through the Web API (the payloads of the collector's outbound
 * queue): posts (`chat.postMessage`, `thread_ts` when replying in a thread), ephemeral notes
 * (`chat.postEphemeral`), DMs (`conversations.open` + `chat.postMessage`), and moderation where the bot may
 * (`chat.delete`, `conversations.kick`). A moderation the bot may not perform (Slack refuses it, or Slack has
 * no such action, like timeouts) is reported: a warning in the logs and a short line in the channel.
 */
import type { WebClient } from '@slack/web-api'
import type { Logger } from '../../runtime/logger.js'
import type { OutboundItem } from '../core/types.js'
import { escapeSlack, type SlackBlock } from './render.js'

export type SlackOp =
  | {
      readonly op: 'post'
      readonly channel: string
      readonly text: string
      readonly blocks?: SlackBlock[]
      readonly thread_ts?: string
    }
  | {
      readonly op: 'ephemeral'
      readonly channel: string
      readonly user: string
      readonly text: string
      readonly blocks?: SlackBlock[]
      readonly thread_ts?: string
    }
  | { readonly op: 'dm'; readonly user: string; readonly text: string; readonly blocks?: SlackBlock[] }
  | { readonly op: 'delete'; readonly channel: string; readonly ts: string; readonly reason: string }
  | { readonly op: 'kick'; readonly channel: string; readonly user: string; readonly reason: string }
  | {
      readonly op: 'report'
      readonly channel: string
      readonly action: string
      readonly reason: string
      readonly why: string
      readonly thread_ts?: string
    }

/** The Slack error code of a Web API failure (`cant_delete_message`, `not_in_channel`, …). */
export function slackErrorCode(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data
  if (typeof data?.error === 'string') return data.error
  return (error as Error | undefined)?.message ?? String(error)
}

/** The text of a moderation report line. */
export function reportText(action: string, reason: string, why: string): string {
  return escapeSlack(`Moderation (${action}) not carried out: ${why}. Reason given: ${reason}`)
}

export interface SlackSender {
  /** The queue's `send`: performs one operation (rejects when Slack refuses a post). */
  send(item: OutboundItem<SlackOp>): Promise<void>
}

/**
 * A sender over `client`. `report` is how a refused moderation is re-queued as a report line (the
 * collector passes its queue's enqueue).
 */
export function createSlackSender(
  client: WebClient,
  log: Logger,
  report: (op: Extract<SlackOp, { op: 'report' }>) => void,
): SlackSender {
  const refused = (action: string, channel: string, reason: string, error: unknown) => {
    const why = slackErrorCode(error)
    log.warn({ action, channel, why }, 'slack moderation refused')
    report({ op: 'report', channel, action, reason, why })
  }
  return {
    async send({ payload: op }) {
      switch (op.op) {
        case 'post':
          await client.chat.postMessage({
            channel: op.channel,
            text: op.text,
            ...(op.blocks ? { blocks: op.blocks as never } : {}),
            ...(op.thread_ts ? { thread_ts: op.thread_ts } : {}),
          })
          return
        case 'ephemeral':
          await client.chat.postEphemeral({
            channel: op.channel,
            user: op.user,
            text: op.text,
            ...(op.blocks ? { blocks: op.blocks as never } : {}),
            ...(op.thread_ts ? { thread_ts: op.thread_ts } : {}),
          })
          return
        case 'dm': {
          const opened = (await client.conversations.open({ users: op.user })) as { channel?: { id?: string } }
          const channel = opened.channel?.id
          if (!channel) throw new Error(`conversations.open gave no channel for ${op.user}`)
          await client.chat.postMessage({
            channel,
            text: op.text,
            ...(op.blocks ? { blocks: op.blocks as never } : {}),
          })
          return
        }
        case 'delete':
          try {
            await client.chat.delete({ channel: op.channel, ts: op.ts })
            log.info({ channel: op.channel, ts: op.ts, reason: op.reason }, 'slack message deleted')
          } catch (error) {
            refused('delete', op.channel, op.reason, error)
          }
          return
        case 'kick':
          try {
            await client.conversations.kick({ channel: op.channel, user: op.user })
            log.info({ channel: op.channel, user: op.user, reason: op.reason }, 'slack user removed from channel')
          } catch (error) {
            refused('ban', op.channel, op.reason, error)
          }
          return
        case 'report':
          await client.chat.postMessage({
            channel: op.channel,
            text: reportText(op.action, op.reason, op.why),
            ...(op.thread_ts ? { thread_ts: op.thread_ts } : {}),
          })
          return
      }
    },
  }
}
