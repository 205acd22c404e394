/**
 * Builds the @slack/bolt App for the collector. Two shapes, one port per module either way:
 * - HTTP (default): a FastifyBoltReceiver; Slack's requests arrive on the module's fastify routes
 *   (`/slack/events|commands|interactions`, see receiver.ts) and are dispatched to `app.processEvent`.
 * - Socket Mode (`SLACK_APP_TOKEN` set): bolt's SocketModeReceiver (`apps.connections.open` + WebSocket);
 *   the HTTP routes stay available when a signing secret is set, dispatching to the same App.
 * With `SLACK_BOT_TOKEN`, `start()` runs `auth.test` (bolt's token verification) and replies can be sent;
 * without it the App still receives (slash commands are answered in their ack) but chat is not connected.
 */
import { createRequire } from 'node:module'
import type { App, Logger as BoltLogger, LogLevel, ReceiverEvent } from '@slack/bolt'
import type { WebClient, WebClientOptions } from '@slack/web-api'
import type { Logger } from '../../runtime/logger.js'
import { FastifyBoltReceiver } from './receiver.js'

/** @slack/bolt (≈ 35 MB, 150 ms to load) is required on first use: a bot without Slack settings never loads it. */
const require = createRequire(import.meta.url)
const loadBolt = () => require('@slack/bolt') as typeof import('@slack/bolt')

/** The Slack settings, from the environment only (CONTRACT §2). */
export interface SlackEnv {
  readonly botToken?: string | undefined
  readonly signingSecret?: string | undefined
  readonly appToken?: string | undefined
  /** Web API base, e.g. `http://127.0.0.1:9999/api/` (SLACK_API_URL). */
  readonly apiUrl?: string | undefined
}

/** Reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN and SLACK_API_URL. */
export function slackEnvFrom(env: NodeJS.ProcessEnv): SlackEnv {
  const get = (k: string) => (env[k] === '' ? undefined : env[k])
  return {
    botToken: get('SLACK_BOT_TOKEN'),
    signingSecret: get('SLACK_SIGNING_SECRET'),
    appToken: get('SLACK_APP_TOKEN'),
    apiUrl: get('SLACK_API_URL'),
  }
}

export interface BoltSetup {
  readonly app: App
  /** The Web API client (undefined without a bot token: chat is not connected). */
  readonly client: WebClient | undefined
  readonly socketMode: boolean
  /** Feeds one verified HTTP request to the App. */
  dispatch(event: ReceiverEvent): Promise<void>
  /** auth.test (with a token) and the Socket Mode connection (with an app token). */
  start(): Promise<void>
  stop(): Promise<void>
}

/** Bolt's logger interface over pino (bolt's chatty info goes to debug). */
export function boltLogger(log: Logger): BoltLogger {
  let level = 'info' as LogLevel
  const text = (msg: unknown[]) =>
    msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ')
  const err = (msg: unknown[]) => msg.find((m) => m instanceof Error)
  return {
    debug: (...msg: unknown[]) => log.debug(text(msg)),
    info: (...msg: unknown[]) => log.debug(text(msg)),
    warn: (...msg: unknown[]) => log.warn({ err: err(msg) }, text(msg)),
    error: (...msg: unknown[]) => log.error({ err: err(msg) }, text(msg)),
    setLevel: (l: LogLevel) => {
      level = l
    },
    getLevel: () => level,
    setName: () => {},
  }
}

/** Creates the App (not started). `apiRetries` sets the Web API client's retries (tests use 0). */
export function createBoltApp(env: SlackEnv, log: Logger, options: { apiRetries?: number } = {}): BoltSetup {
  const clientOptions: WebClientOptions = {
    ...(env.apiUrl ? { slackApiUrl: env.apiUrl.endsWith('/') ? env.apiUrl : `${env.apiUrl}/` } : {}),
    ...(options.apiRetries !== undefined ? { retryConfig: { retries: options.apiRetries } } : {}),
  }
  const { App } = loadBolt()
  const logger = boltLogger(log)
  const auth = env.botToken ? { token: env.botToken } : { authorize: async () => ({}) }
  const socketMode = env.appToken !== undefined
  const receiver = socketMode ? undefined : new FastifyBoltReceiver()
  const app = socketMode
    ? new App({ ...auth, appToken: env.appToken!, socketMode: true, clientOptions, logger, deferInitialization: true })
    : new App({ ...auth, receiver: receiver!, clientOptions, logger, deferInitialization: true })
  app.error(async (error) => {
    log.error({ err: error }, 'slack listener failed')
  })
  let started = false
  return {
    app,
    client: env.botToken ? app.client : undefined,
    socketMode,
    dispatch: (event) => (receiver ? receiver.dispatch(event) : app.processEvent(event)),
    async start() {
      await app.init()
      if (socketMode) await app.start()
      started = true
    },
    async stop() {
      if (started && socketMode) await app.stop()
      started = false
    },
  }
}
