/**
 * `waddlebot auth slack`: prints the app manifest (request URLs from `--public-url` or
 * `modules.slack.public_url`; Socket Mode without one), then takes the tokens Slack shows after the app is
 * installed, checks them (`auth.test` for the bot token, `apps.connections.open` for an app token, both at
 * SLACK_API_URL, default https://slack.com/api/) and stores them in .env.
 */
import { stringify } from 'yaml'
import type { Prompter } from '../prompt.js'
import { slackManifest } from '../../collectors/slack/public.js'
import type { Settings } from '../../runtime/config.js'
import { envFilePath, updateEnvFile } from '../../runtime/env-file.js'
import { WaddleError } from '../../runtime/errors.js'

export const DEFAULT_SLACK_API = 'https://slack.com/api/'

export interface SlackAuthInput {
  readonly publicUrl?: string | undefined
  readonly socketMode?: boolean
  readonly name?: string | undefined
  readonly token?: string | undefined
  readonly signingSecret?: string | undefined
  readonly appToken?: string | undefined
  /** Print the manifest and stop. */
  readonly manifestOnly?: boolean
}

export interface SlackAuthResult {
  readonly manifest: Record<string, unknown>
  readonly socket_mode: boolean
  readonly team?: { readonly id: string; readonly name: string }
  readonly bot?: { readonly user_id: string; readonly bot_id: string; readonly name: string }
  readonly env_file?: string
}

async function callSlack(api: string, method: string, token: string): Promise<Record<string, unknown>> {
  let res: Response
  try {
    res = await fetch(`${api}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      signal: AbortSignal.timeout(15_000),
    })
  } catch (error) {
    throw new WaddleError(
      'WB_PLATFORM_UNREACHABLE',
      { platform: 'slack', url: api, reason: (error as Error).message, variable: 'SLACK_API_URL' },
      { cause: error },
    )
  }
  const body = (await res.json().catch(() => ({ ok: false, error: `HTTP ${res.status}` }))) as Record<string, unknown>
  if (body.ok !== true) {
    const what = method === 'auth.test' ? 'the bot token' : 'the app-level token'
    throw new WaddleError('WB_PLATFORM_AUTH_FAILED', {
      platform: 'slack',
      what,
      reason: `${method}: ${String(body.error ?? `HTTP ${res.status}`)}`,
    })
  }
  return body
}

function publicUrlOf(settings: Settings, input: SlackAuthInput): string | undefined {
  if (input.socketMode) return undefined
  const raw = input.publicUrl ?? (settings.modules.slack?.public_url as string | undefined)
  if (raw === undefined) return undefined
  if (!/^https?:\/\/[^\s/]+/.test(raw))
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'public-url',
      reason: `${JSON.stringify(raw)} is not an http(s) URL`,
    })
  return raw
}

export async function authSlack(
  settings: Settings,
  input: SlackAuthInput,
  prompt: Prompter,
  say: (line: string) => void,
  show: (text: string) => void,
): Promise<SlackAuthResult> {
  const publicUrl = publicUrlOf(settings, input)
  const socketMode = publicUrl === undefined
  const manifest = slackManifest({ name: input.name, publicUrl })
  say(
    `Slack app manifest (${socketMode ? 'Socket Mode: no public URL needed' : `request URLs under ${publicUrl}`}). At https://api.slack.com/apps choose`,
  )
  say('Create New App → From an app manifest, pick the workspace and paste:\n')
  show(stringify(manifest).trimEnd())
  if (input.manifestOnly) return { manifest, socket_mode: socketMode }
  say('\nThen Install to Workspace, and paste the tokens:')
  const ask = (given: string | undefined, field: string, question: string) =>
    given?.trim() ? Promise.resolve(given.trim()) : prompt.ask(field, question, { secret: true })
  const token = await ask(input.token, 'token', 'Bot User OAuth Token (OAuth & Permissions, xoxb-…): ')
  if (!token.startsWith('xoxb-'))
    throw new WaddleError('WB_INPUT_INVALID', { field: 'token', reason: 'a bot token starts with xoxb-' })
  const values: Record<string, string> = { SLACK_BOT_TOKEN: token }
  if (socketMode) {
    const appToken = await ask(
      input.appToken,
      'app-token',
      'App-Level Token with connections:write (Basic Information → App-Level Tokens, xapp-…): ',
    )
    if (!appToken.startsWith('xapp-'))
      throw new WaddleError('WB_INPUT_INVALID', { field: 'app-token', reason: 'an app-level token starts with xapp-' })
    values.SLACK_APP_TOKEN = appToken
  } else {
    const secret = await ask(
      input.signingSecret,
      'signing-secret',
      'Signing Secret (Basic Information → App Credentials): ',
    )
    if (!/^[0-9a-f]{16,128}$/i.test(secret))
      throw new WaddleError('WB_INPUT_INVALID', {
        field: 'signing-secret',
        reason: 'expected the hexadecimal Signing Secret',
      })
    values.SLACK_SIGNING_SECRET = secret
  }
  const api = settings.env.SLACK_API_URL?.trim()
    ? settings.env.SLACK_API_URL.trim().replace(/\/?$/, '/')
    : DEFAULT_SLACK_API
  const who = await callSlack(api, 'auth.test', token)
  if (values.SLACK_APP_TOKEN) await callSlack(api, 'apps.connections.open', values.SLACK_APP_TOKEN)
  const envFile = envFilePath(settings.projectDir)
  updateEnvFile(envFile, values, settings.env)
  const team = { id: String(who.team_id ?? ''), name: String(who.team ?? '') }
  const bot = { user_id: String(who.user_id ?? ''), bot_id: String(who.bot_id ?? ''), name: String(who.user ?? '') }
  say(
    `The bot ${bot.name} (${bot.user_id}) is installed in ${team.name} (${team.id}). Saved ${Object.keys(values).join(', ')} to ${envFile}.`,
  )
  say(
    `Invite it to a channel (/invite @${bot.name}) and list the channels to serve as slack.channels: [${team.id}/C…] in waddlebot.yaml.`,
  )
  return { manifest, socket_mode: socketMode, team, bot, env_file: envFile }
}
