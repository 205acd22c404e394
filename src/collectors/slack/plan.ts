/**
 * Rendered responses → outbound operations for one conversation. Replies go to the channel of the event
 * (in its thread when the viewer wrote in a thread, or under `reply_to` when a module asks for it);
 * ephemeral lines go to the user only (`chat.postEphemeral`); moderation: `delete` removes the triggering
 * message, `warn` is an ephemeral note to the user, `ban` removes the user from the channel, `timeout` does
 * not exist on Slack and is reported.
 */
import type { OutboundItem, OutboundPriority } from '../core/types.js'
import type { SlackRendered } from './render.js'
import type { SlackOp } from './sender.js'

/** Where a reply goes. */
export interface ReplyTarget {
  readonly channel: string
  /** The user who triggered it (ephemeral notes, warn, ban). */
  readonly user?: string
  /** The triggering message (delete). */
  readonly messageTs?: string
  /** The thread the triggering message was in. */
  readonly threadTs?: string
}

/** The outbound items for `rendered` sent to `target` (moderation items get the moderation priority). */
export function planOps(
  rendered: readonly SlackRendered[],
  target: ReplyTarget,
  priority: OutboundPriority = 'reply',
): OutboundItem<SlackOp>[] {
  const items: OutboundItem<SlackOp>[] = []
  const { channel } = target
  const thread = target.threadTs ? { thread_ts: target.threadTs } : {}
  const push = (op: SlackOp, p: OutboundPriority = priority) => items.push({ channel, priority: p, payload: op })
  const report = (action: string, reason: string, why: string) =>
    push({ op: 'report', channel, action, reason, why, ...thread }, 'moderation')
  for (const r of rendered) {
    if (r.kind === 'message') {
      const threadTs = target.threadTs ?? r.replyTo
      const where = threadTs ? { thread_ts: threadTs } : {}
      const blocks = r.blocks ? { blocks: r.blocks } : {}
      if (r.ephemeral && target.user)
        push({ op: 'ephemeral', channel, user: target.user, text: r.text, ...blocks, ...where })
      else push({ op: 'post', channel, text: r.text, ...blocks, ...where })
      continue
    }
    switch (r.action) {
      case 'delete':
        if (target.messageTs) push({ op: 'delete', channel, ts: target.messageTs, reason: r.reason }, 'moderation')
        else report('delete', r.reason, 'there is no message to delete')
        break
      case 'warn':
        if (target.user)
          push({ op: 'ephemeral', channel, user: target.user, text: `⚠️ ${r.reason}`, ...thread }, 'moderation')
        else push({ op: 'post', channel, text: `⚠️ ${r.reason}`, ...thread }, 'moderation')
        break
      case 'ban':
        if (target.user) push({ op: 'kick', channel, user: target.user, reason: r.reason }, 'moderation')
        else report('ban', r.reason, 'there is no user to remove')
        break
      case 'timeout':
        report('timeout', r.reason, 'Slack has no timeouts')
        break
    }
  }
  return items
}
