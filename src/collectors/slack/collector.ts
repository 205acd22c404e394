/**
 * The Slack platform state of one hosted collector: the bolt App (HTTP through the module's fastify routes,
 * or Socket Mode), its listeners, the renderer and the Web API sender, plus the CollectorAdapter the core
 * (src/collectors/core/collector-module.ts) drives. Built once at setup as the collector's platform state.
 */
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { InboundEvent } from '../../contract/events.js'
import type { Logger } from '../../runtime/logger.js'
import type { SetupContext } from '../../runtime/module.js'
import type { CollectorAdapter, CollectorHandle } from '../core/collector-module.js'
import type { OutboundItem } from '../core/types.js'
import { type BoltSetup, createBoltApp, type SlackEnv, slackEnvFrom } from './bolt-app.js'
import type { SlackConfig } from './config.js'
import { registerIntake, targetOf } from './intake.js'
import { slackEntityId } from './normalize.js'
import { planOps } from './plan.js'
import { SlackNotReadyError, slackRoutes } from './receiver.js'
import { createSlackRenderer, escapeSlack } from './render.js'
import { createSlackSender, type SlackOp, slackErrorCode } from './sender.js'
import { WhisperRefused, type WhisperSender } from '../core/whisper-route.js'
import { createUserDirectory } from './users.js'

export interface SlackState {
  readonly env: SlackEnv
  readonly bolt: BoltSetup
  readonly adapter: CollectorAdapter<SlackOp>
  /** Resolves once bolt is initialized (auth.test passed, or no token). */
  readonly ready: Promise<void>
  served(team: string, channel: string): boolean
  routes(app: FastifyInstance): void
  /** Sends a DM now (conversations.open + chat.postMessage) for `POST /slack/whisper`; undefined without a bot token. */
  readonly whisper: WhisperSender | undefined
  /** A direct message to a user (conversations.open + chat.postMessage), through the outbound queue. */
  directMessage(userId: string, text: string): void
}

/** Observers for tests and metrics. */
export const slackHooks: {
  onForward?: ((event: InboundEvent) => void) | undefined
  onDuplicate?: ((eventId: string) => void) | undefined
} = {}

/**
 * The Slack state of a collector (its `platform` state), or undefined when nothing Slack is configured:
 * then bolt is never loaded and the routes answer 503 naming SLACK_SIGNING_SECRET.
 */
export function slackStateFor(
  ctx: SetupContext<SlackConfig>,
  handle: CollectorHandle<SlackOp>,
): SlackState | undefined {
  const env = slackEnvFrom(ctx.settings.env)
  if (!env.botToken && !env.signingSecret && !env.appToken) return undefined
  return createSlackState(ctx, handle)
}

function createSlackState(ctx: SetupContext<SlackConfig>, handle: CollectorHandle<SlackOp>): SlackState {
  const env = slackEnvFrom(ctx.settings.env)
  const log: Logger = ctx.log
  const cfg = ctx.config
  const bolt = createBoltApp(env, log, { apiRetries: cfg.api_retries })
  const renderer = createSlackRenderer({ maxMessages: cfg.max_parts })
  const enqueue = (item: OutboundItem<SlackOp>) => {
    if (!handle.queue.enqueue(item).accepted)
      log.warn({ channel: item.channel, op: item.payload.op }, 'slack outbound queue full; dropped')
  }
  const sender = bolt.client
    ? createSlackSender(bolt.client, log, (op) => enqueue({ channel: op.channel, priority: 'moderation', payload: op }))
    : undefined

  let markReady!: () => void
  const ready = new Promise<void>((resolve) => {
    markReady = resolve
  })
  let connected = false
  let stopped = false
  let retry: NodeJS.Timeout | undefined

  /** Without a bot token there are no claims (the core claims only with chat): every channel is served. */
  const served = (team: string, channel: string): boolean => {
    if (!handle.adapter) return true
    if (handle.coordination.isHeld(slackEntityId(team, channel))) return true
    return channel.startsWith('D') && handle.coordination.held().some((e) => e.entity_id.startsWith(`slack:${team}:`))
  }

  registerIntake(bolt.app, {
    users: createUserDirectory(bolt.client, ctx.cache, log),
    renderer,
    cache: ctx.cache,
    log,
    served,
    enqueue,
    forward: (event) => handle.forward(event),
    send: (event) => handle.router.send(event),
    onForward: (event) => slackHooks.onForward?.(event),
    onDuplicate: (eventId) => slackHooks.onDuplicate?.(eventId),
    ackBudgetMs: cfg.ack_budget_ms,
  })

  /** Initializes bolt (auth.test) and connects Socket Mode; retries with backoff until it works or stops. */
  const connect = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const attempt = async (n: number) => {
        try {
          await bolt.start()
          connected = true
          markReady()
          resolve()
        } catch (err) {
          log.error({ err, attempt: n }, 'slack connection failed; retrying')
          if (stopped) return resolve()
          retry = setTimeout(() => void attempt(n + 1), Math.min(300_000, 1000 * 2 ** n))
        }
      }
      void attempt(0)
    })

  const adapter: CollectorAdapter<SlackOp> = {
    start: () => connect(),
    async stop() {
      stopped = true
      clearTimeout(retry)
      connected = false
      await bolt.stop()
    },
    connected: () => connected,
    join: () => {},
    leave: () => {},
    render(entityId, responses, origin, priority) {
      const channel = /^slack:[^:]+:([^:]+)$/.exec(entityId)?.[1]
      return planOps(renderer.render(responses), targetOf(origin, channel), priority)
    },
    async send(item) {
      if (!sender) throw new Error('chat is not connected: SLACK_BOT_TOKEN is not set')
      await sender.send(item)
    },
  }

  if (!env.botToken) {
    // Webhook only: bolt needs no network to initialize; slash commands are answered in their ack.
    void bolt.app.init().then(markReady, (err: unknown) => log.error({ err }, 'slack init failed'))
  }

  const whisper: WhisperSender | undefined = sender
    ? async (userId, text) => {
        try {
          await sender.send({
            channel: userId,
            priority: 'reply',
            payload: { op: 'dm', user: userId, text: escapeSlack(text) },
          })
        } catch (error) {
          const code = slackErrorCode(error)
          if (/^[a-z_]+$/.test(code)) throw new WhisperRefused(`Slack refused the DM (${code})`)
          throw error
        }
      }
    : undefined
  return {
    env,
    bolt,
    adapter,
    ready,
    served,
    whisper,
    routes(app) {
      slackRoutes(app, {
        signingSecret: env.signingSecret,
        log,
        // A signature is unique to its timestamp and body; Slack refuses timestamps older than 5 minutes.
        firstSeen: async (signature) =>
          (await ctx.cache.tryLock(
            `slack:seen:${createHash('sha256').update(signature).digest('hex')}`,
            6 * 60_000,
          )) !== undefined,
        dispatch: async (event) => {
          let timer: NodeJS.Timeout | undefined
          const waited = await Promise.race([
            ready.then(() => true),
            new Promise<false>((r) => {
              timer = setTimeout(() => r(false), 2000)
            }),
          ])
          clearTimeout(timer)
          if (!waited) throw new SlackNotReadyError()
          await bolt.dispatch(event)
        },
        ...(cfg.ack_timeout_ms !== undefined ? { ackTimeoutMs: cfg.ack_timeout_ms } : {}),
      })
    },
    directMessage(userId, text) {
      enqueue({
        channel: `dm:${userId}`,
        priority: 'reply',
        payload: { op: 'dm', user: userId, text: escapeSlack(text) },
      })
    },
  }
}
