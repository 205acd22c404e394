/**
 * The bolt listeners: every Slack event, slash command and interaction → served-channel check (claims) →
 * duplicate check (event_id, once, via the shared cache's tryLock) → normalized → router. Replies to
 * channel events go through the collector core (`handle.forward`: rendered by the adapter into the
 * outbound queue); DMs, which no process claims, are delivered here. A slash command is answered in its
 * ack when the router replies within `ackBudgetMs`; otherwise it is acked empty and the reply is posted
 * to the channel when it comes.
 */
import type { App } from '@slack/bolt'
import type { InboundEvent } from '../../contract/events.js'
import type { Response } from '../../contract/responses.js'
import type { EventResult } from '../../contract/router.js'
import type { Cache } from '../../runtime/cache/types.js'
import type { Logger } from '../../runtime/logger.js'
import type { OutboundItem, OutboundPriority, ResponseRenderer } from '../core/types.js'
import {
  eventSubject,
  normalizeEvent,
  normalizeInteraction,
  normalizeSlashCommand,
  type SlackUser,
} from './normalize.js'
import { planOps, type ReplyTarget } from './plan.js'
import type { SlackRendered } from './render.js'
import type { SlackOp } from './sender.js'
import type { SlackUserDirectory } from './users.js'

/** Events ids are remembered this long (Slack retries within minutes). */
export const DEDUPE_TTL_MS = 60 * 60 * 1000

export interface SlackIntakeDeps {
  readonly users: SlackUserDirectory
  readonly renderer: ResponseRenderer<SlackRendered>
  readonly cache: Cache
  readonly log: Logger
  /** True when this process serves `slack:<team>:<channel>` (its claims; DMs: any entity of the team). */
  served(team: string, channel: string): boolean
  /**
   * Sends an event to the router and delivers its replies (the collector core's `handle.forward`: replies
   * rendered through the adapter into the outbound queue, activity reported to coordination).
   */
  forward(event: InboundEvent): Promise<EventResult>
  /** Sends an event to the router without delivering its replies (slash commands answer in their ack). */
  send(event: InboundEvent): Promise<EventResult>
  /** Queues one outbound operation. */
  enqueue(item: OutboundItem<SlackOp>): void
  /** Called for each event handed to the router (tests, metrics). */
  onForward?(event: InboundEvent): void
  /** Called for each event refused as a duplicate (its event_id was seen). */
  onDuplicate?(eventId: string): void
  /** How long a slash command waits for the router before acking empty (default 2,500 ms). */
  readonly ackBudgetMs?: number
}

type Loose = Record<string, unknown>

/** Queues the replies of `responses` to `target`. */
export function deliver(
  deps: Pick<SlackIntakeDeps, 'renderer' | 'enqueue'>,
  responses: readonly Response[],
  target: ReplyTarget,
  priority: OutboundPriority = 'reply',
): void {
  if (responses.length === 0) return
  for (const item of planOps(deps.renderer.render(responses), target, priority)) deps.enqueue(item)
}

/** Where the replies to `event` go: its channel, its thread, its user, its message (for delete). */
export function targetOf(event: InboundEvent | undefined, fallbackChannel?: string): ReplyTarget {
  const meta = (event?.metadata ?? {}) as Loose
  const ts = event?.message_type === 'chatMessage' && typeof meta.ts === 'string' ? meta.ts : undefined
  const thread = typeof meta.thread_ts === 'string' ? meta.thread_ts : undefined
  return {
    channel: event?.channel_id ?? fallbackChannel ?? '',
    ...(event ? { user: event.user_id } : {}),
    ...(ts ? { messageTs: ts } : {}),
    ...(thread ? { threadTs: thread } : {}),
  }
}

/** Registers the collector's listeners on `app`. */
export function registerIntake(app: App, deps: SlackIntakeDeps): void {
  const { log } = deps
  const call = async (how: 'forward' | 'send', event: InboundEvent): Promise<EventResult | undefined> => {
    deps.onForward?.(event)
    try {
      return await (how === 'forward' ? deps.forward(event) : deps.send(event))
    } catch (err) {
      log.error({ err, entity: event.entity_id, type: event.message_type }, 'router did not take a slack event')
      return undefined
    }
  }
  /** Channel events: the core delivers; DMs are delivered here (no process claims a DM entity). */
  const forward = async (event: InboundEvent, target: ReplyTarget): Promise<void> => {
    if (!target.channel.startsWith('D')) {
      await call('forward', event)
      return
    }
    const result = await call('send', event)
    if (result) deliver(deps, result.responses, target)
  }
  const firstTime = async (eventId: string | undefined): Promise<boolean> => {
    if (!eventId) return true
    return (await deps.cache.tryLock(`slack:event:${eventId}`, DEDUPE_TTL_MS)) !== undefined
  }

  app.event(/.*/, async ({ event, body }) => {
    const b = body as unknown as Loose
    const e = event as unknown as Loose
    const teamFallback = typeof b.team_id === 'string' ? b.team_id : undefined
    const subject = eventSubject(e, teamFallback)
    if (!subject) return
    const eventId = typeof b.event_id === 'string' ? b.event_id : undefined
    const placeholder: SlackUser = { id: subject.user, name: subject.user }
    if (!normalizeEvent(e, subject.team, placeholder, eventId)) return
    if (!deps.served(subject.team, subject.channel)) {
      log.debug(
        { team: subject.team, channel: subject.channel },
        'slack event in a channel this process does not serve',
      )
      return
    }
    if (!(await firstTime(eventId))) {
      log.info({ event_id: eventId }, 'duplicate slack event ignored')
      if (eventId) deps.onDuplicate?.(eventId)
      return
    }
    const inbound = normalizeEvent(e, subject.team, await deps.users.lookup(subject.team, subject.user), eventId)
    if (!inbound) return
    await forward(inbound, targetOf(inbound))
  })

  app.command(/.*/, async ({ command, ack }) => {
    const c = command as unknown as Loose
    const team = String(c.team_id ?? '')
    const channel = String(c.channel_id ?? '')
    if (!deps.served(team, channel)) {
      await ack({ response_type: 'ephemeral', text: 'waddlebot does not serve this channel.' })
      return
    }
    const user = await deps.users.lookup(
      team,
      String(c.user_id ?? ''),
      typeof c.user_name === 'string' ? c.user_name : undefined,
    )
    const inbound = normalizeSlashCommand(c, user)
    if (!inbound) {
      await ack()
      return
    }
    const target: ReplyTarget = { channel, user: user.id }
    const sending = call('send', inbound)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deps.ackBudgetMs ?? 2500)
    })
    const result = await Promise.race([sending, late])
    clearTimeout(timer)
    if (result === 'late' || result === undefined) {
      await ack(
        result === undefined
          ? { response_type: 'ephemeral', text: 'waddlebot could not reach its router. Try again in a moment.' }
          : undefined,
      )
      if (result === 'late') void sending.then((r) => r && deliver(deps, r.responses, target))
      return
    }
    const rendered = deps.renderer.render(result.responses)
    const firstIndex = rendered.findIndex((r) => r.kind === 'message')
    const first = rendered[firstIndex]
    if (first?.kind !== 'message') {
      await ack()
    } else {
      await ack({
        response_type: first.ephemeral ? 'ephemeral' : 'in_channel',
        text: first.text,
        ...(first.blocks ? { blocks: first.blocks } : {}),
      })
    }
    const rest = rendered.filter((_, i) => i !== firstIndex)
    for (const item of planOps(rest, target)) deps.enqueue(item)
  })

  const interaction = async ({ ack, body }: { ack: () => Promise<void>; body: unknown }) => {
    await ack()
    const b = body as Loose
    const userId = String((b.user as Loose | undefined)?.id ?? '')
    const placeholder: SlackUser = { id: userId, name: userId }
    const probe = normalizeInteraction(b, placeholder)
    if (!probe || !userId || !deps.served(probe.server_id, probe.channel_id)) return
    const hint = (b.user as Loose | undefined)?.username ?? (b.user as Loose | undefined)?.name
    const inbound = normalizeInteraction(
      b,
      await deps.users.lookup(probe.server_id, userId, typeof hint === 'string' ? hint : undefined),
    )
    if (inbound) await forward(inbound, targetOf(inbound))
  }
  app.action(/.*/, interaction as never)
  app.shortcut(/.*/, interaction as never)
  app.view(/.*/, interaction as never)
}
