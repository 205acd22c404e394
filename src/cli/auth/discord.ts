/**
 * `waddlebot auth discord`: validates a bot token (`GET <DISCORD_API_URL>/v10/users/@me`), reads the
 * application (`/v10/applications/@me`: its id for the invite URL, its flags for the privileged intents,
 * its public key), stores DISCORD_BOT_TOKEN (and DISCORD_PUBLIC_KEY) in .env, and prints the invite URL.
 */
import type { Prompter } from '../prompt.js'
import { DEFAULT_DISCORD_API } from '../../collectors/discord/public.js'
import { BOT_INTENTS, BOT_PERMISSIONS, inviteUrl, missingIntents } from '../../collectors/discord/public.js'
import type { Settings } from '../../runtime/config.js'
import { envFilePath, updateEnvFile } from '../../runtime/env-file.js'
import { WaddleError } from '../../runtime/errors.js'

export interface DiscordAuthResult {
  readonly bot: { readonly id: string; readonly username: string }
  readonly application_id: string
  readonly invite_url: string
  readonly permissions: readonly string[]
  readonly intents: readonly string[]
  /** Privileged intents still to switch on in the Developer Portal. */
  readonly enable_intents: readonly string[]
  readonly env_file: string
}

async function get(api: string, path: string, token: string): Promise<Record<string, unknown>> {
  let res: Response
  try {
    res = await fetch(`${api}/v10${path}`, {
      headers: { authorization: `Bot ${token}` },
      signal: AbortSignal.timeout(15_000),
    })
  } catch (error) {
    throw new WaddleError(
      'WB_PLATFORM_UNREACHABLE',
      { platform: 'discord', url: api, reason: (error as Error).message, variable: 'DISCORD_API_URL' },
      { cause: error },
    )
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>
  if (res.status === 401)
    throw new WaddleError('WB_PLATFORM_AUTH_FAILED', {
      platform: 'discord',
      what: 'the bot token',
      reason: String(body.message ?? '401: Unauthorized'),
    })
  if (!res.ok)
    throw new WaddleError('WB_PLATFORM_UNREACHABLE', {
      platform: 'discord',
      url: api,
      reason: `GET ${path} answered ${res.status}`,
      variable: 'DISCORD_API_URL',
    })
  return body
}

export async function authDiscord(
  settings: Settings,
  input: { token?: string | undefined },
  prompt: Prompter,
  say: (line: string) => void,
): Promise<DiscordAuthResult> {
  const env = settings.env
  const stored = env.DISCORD_BOT_TOKEN?.trim() || undefined
  const token = (
    input.token?.trim() ||
    (await prompt.ask(
      'token',
      `Bot token (Developer Portal → your application → Bot → Reset Token)${stored ? ' [keep the stored one]' : ''}: `,
      { secret: true, ...(stored ? { fallback: stored } : {}) },
    ))
  ).replace(/^Bot\s+/i, '')
  const api = (env.DISCORD_API_URL?.trim() || DEFAULT_DISCORD_API).replace(/\/+$/, '')
  const me = await get(api, '/users/@me', token)
  const app = await get(api, '/applications/@me', token)
  const bot = { id: String(me.id), username: String(me.username) }
  const applicationId = String(app.id ?? me.id)
  const values: Record<string, string> = { DISCORD_BOT_TOKEN: token }
  if (typeof app.verify_key === 'string' && /^[0-9a-f]{64}$/i.test(app.verify_key))
    values.DISCORD_PUBLIC_KEY = app.verify_key
  const envFile = envFilePath(settings.projectDir)
  updateEnvFile(envFile, values, env)
  const url = inviteUrl(applicationId, new URL(api).origin)
  const enable = missingIntents(Number(app.flags ?? 0))
  say(`The token belongs to the bot ${bot.username} (id ${bot.id}), application ${applicationId}.`)
  say(`Saved ${Object.keys(values).join(' and ')} to ${envFile}.`)
  say(
    `\nInvite the bot to your server with this URL (permissions: ${Object.keys(BOT_PERMISSIONS).join(', ')}):\n  ${url}`,
  )
  say(`\nGateway intents used: ${BOT_INTENTS.join(', ')}.`)
  if (enable.length > 0)
    say(
      `Switch on in the Developer Portal → Bot → Privileged Gateway Intents: ${enable.map((p) => p.portal).join(' and ')}.`,
    )
  else say('The privileged intents (Message Content, Server Members) are already on.')
  return {
    bot,
    application_id: applicationId,
    invite_url: url,
    permissions: Object.keys(BOT_PERMISSIONS),
    intents: BOT_INTENTS,
    enable_intents: enable.map((p) => p.intent),
    env_file: envFile,
  }
}
