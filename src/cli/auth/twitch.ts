/**
 * `waddlebot auth twitch`: the device code flow (show the URL and code, poll until the bot's account
 * authorizes), then validate the token (login, scopes), store the tokens in .env and the channels in
 * waddlebot.yaml. `--check` validates the stored token instead, refreshing it when Twitch refuses it.
 */
import { setPlatformChannels } from '../config-edit.js'
import type { Prompter } from '../prompt.js'
import {
  createTwitchOAuth,
  runDeviceFlow,
  type TokenInfo,
  TWITCH_BOT_SCOPES,
  TwitchOAuthError,
} from '../../collectors/twitch/public.js'
import { TOKEN_ENV, tokenSourceFor } from '../../collectors/twitch/public.js'
import type { Settings } from '../../runtime/config.js'
import { envFilePath, updateEnvFile } from '../../runtime/env-file.js'
import { WaddleError } from '../../runtime/errors.js'
import type { Logger } from '../../runtime/logger.js'

export interface TwitchAuthInput {
  readonly clientId?: string | undefined
  readonly channels?: string | undefined
  readonly scopes?: readonly string[] | undefined
}

export interface TwitchAuthResult {
  readonly login: string
  readonly user_id: string
  readonly scopes: readonly string[]
  readonly channels?: readonly string[]
  readonly env_file: string
  readonly refreshed?: boolean
}

type Say = (line: string) => void

/** Twitch's OAuth errors as coded CLI errors. */
export function twitchError(error: unknown, authUrl: string, what = 'the client id'): WaddleError {
  if (!(error instanceof TwitchOAuthError))
    return error instanceof WaddleError
      ? error
      : new WaddleError('WB_PLATFORM_AUTH_FAILED', {
          platform: 'twitch',
          what,
          reason: String((error as Error).message ?? error),
        })
  if (error.status === 0)
    return new WaddleError(
      'WB_PLATFORM_UNREACHABLE',
      { platform: 'twitch', url: authUrl, reason: error.code, variable: 'TWITCH_AUTH_URL' },
      { cause: error },
    )
  if (error.code === 'access_denied')
    return new WaddleError('WB_OAUTH_DENIED', { platform: 'twitch' }, { cause: error })
  if (error.code === 'expired_token')
    return new WaddleError('WB_OAUTH_EXPIRED', { platform: 'twitch' }, { cause: error })
  return new WaddleError('WB_PLATFORM_AUTH_FAILED', { platform: 'twitch', what, reason: error.code }, { cause: error })
}

function parseChannels(raw: string): string[] {
  const names = raw
    .split(/[\s,]+/)
    .map((c) => c.replace(/^#/, '').toLowerCase())
    .filter(Boolean)
  const bad = names.find((c) => !/^[a-z0-9_]{1,25}$/.test(c))
  if (bad)
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'channels',
      reason: `${JSON.stringify(bad)} is not a Twitch login (letters, digits, _)`,
    })
  return [...new Set(names)]
}

function describe(info: TokenInfo, say: Say): void {
  say(`Logged in as ${info.login} (user id ${info.userId}); scopes: ${info.scopes.join(' ') || '(none)'}`)
  const missing = TWITCH_BOT_SCOPES.filter((s) => !info.scopes.includes(s))
  if (missing.length > 0)
    say(`Note: the token lacks ${missing.join(', ')}; whispers, moderation or Twitch shoutouts may fail.`)
}

export async function authTwitch(
  settings: Settings,
  input: TwitchAuthInput,
  prompt: Prompter,
  say: Say,
): Promise<TwitchAuthResult> {
  const env = settings.env
  const envFile = envFilePath(settings.projectDir)
  const clientId =
    input.clientId?.trim() ||
    env.TWITCH_CLIENT_ID?.trim() ||
    (await prompt.ask(
      'client-id',
      'Client ID of your Twitch application (dev.twitch.tv/console/apps, client type Public): ',
    ))
  const oauth = createTwitchOAuth({
    authUrl: env.TWITCH_AUTH_URL || undefined,
    clientId,
    clientSecret: env.TWITCH_CLIENT_SECRET || undefined,
  })
  const scopes = input.scopes ?? TWITCH_BOT_SCOPES
  let tokens: Awaited<ReturnType<typeof runDeviceFlow>>
  try {
    tokens = await runDeviceFlow(oauth, {
      scopes,
      onCode: (d) =>
        say(
          `Log in to Twitch as the bot's account, open ${d.verificationUri} and enter the code ${d.userCode}\nWaiting for you to authorize…`,
        ),
    })
  } catch (error) {
    throw twitchError(error, oauth.authUrl)
  }
  const info = await oauth.validate(tokens.accessToken).catch((error: unknown) => {
    throw twitchError(error, oauth.authUrl, 'the new token')
  })
  describe(info, say)
  updateEnvFile(
    envFile,
    {
      TWITCH_CLIENT_ID: clientId,
      TWITCH_BOT_USERNAME: info.login,
      [TOKEN_ENV.access]: tokens.accessToken,
      [TOKEN_ENV.refresh]: tokens.refreshToken,
      [TOKEN_ENV.expiresAt]: String(tokens.expiresAt),
    },
    env,
  )
  say(
    `Saved TWITCH_BOT_USERNAME, TWITCH_BOT_TOKEN and TWITCH_REFRESH_TOKEN to ${envFile}; the bot refreshes the token itself.`,
  )
  const answer =
    input.channels ??
    (prompt.interactive
      ? await prompt.ask('channels', `Channels to join (comma-separated) [${info.login}]: `, { fallback: info.login })
      : undefined)
  if (answer === undefined) {
    say('No channels given: add them with `waddlebot auth twitch --channels a,b` or twitch.channels in waddlebot.yaml.')
    return { login: info.login, user_id: info.userId, scopes: info.scopes, env_file: envFile }
  }
  const channels = parseChannels(answer)
  if (settings.configFile) {
    setPlatformChannels(settings.configFile, 'twitch', channels)
    say(`Twitch is enabled in ${settings.configFile}, joining ${channels.join(', ')}.`)
  } else {
    updateEnvFile(envFile, { TWITCH_CHANNELS: channels.join(',') }, env)
    say(`TWITCH_CHANNELS=${channels.join(',')} saved to ${envFile}.`)
  }
  return { login: info.login, user_id: info.userId, scopes: info.scopes, channels, env_file: envFile }
}

/** `--check`: validates the stored token; on a refusal refreshes it (and saves the new pair). */
export async function checkTwitch(settings: Settings, log: Logger, say: Say): Promise<TwitchAuthResult> {
  const env = settings.env
  const source = tokenSourceFor(settings, log)
  if (!source || !env.TWITCH_CLIENT_ID)
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'TWITCH_REFRESH_TOKEN',
      reason: 'no stored Twitch tokens: run `waddlebot auth twitch` first',
    })
  const oauth = createTwitchOAuth({ authUrl: env.TWITCH_AUTH_URL || undefined, clientId: env.TWITCH_CLIENT_ID })
  let refreshed = false
  let token = ''
  try {
    token = await source.current()
    const before = env[TOKEN_ENV.access]
    let info: TokenInfo
    try {
      info = await oauth.validate(token)
    } catch (error) {
      if (!(error instanceof TwitchOAuthError) || error.status !== 401) throw error
      token = await source.refresh(token)
      info = await oauth.validate(token)
    }
    refreshed = token !== (before ?? '').replace(/^oauth:/, '')
    describe(info, say)
    if (refreshed) say(`The token was refreshed and saved to ${envFilePath(settings.projectDir)}.`)
    return {
      login: info.login,
      user_id: info.userId,
      scopes: info.scopes,
      env_file: envFilePath(settings.projectDir),
      refreshed,
    }
  } catch (error) {
    throw twitchError(error, oauth.authUrl, 'the stored token')
  }
}
