/**
 * `waddlebot doctor`'s Twitch EventSub check: validates the bot token at TWITCH_AUTH_URL and says, in one
 * line, which configured subscription types its scopes cannot cover.
 */
import { twitchConfigSchema } from './config.js'
import { EVENTSUB_CATALOGUE } from './eventsub-types.js'
import { HelixError } from './helix.js'
import { validateToken } from './helix-eventsub.js'

export interface TwitchCheck {
  readonly name: string
  readonly status: 'ok' | 'warn' | 'fail'
  readonly detail: string
}

/** The check, or undefined when there is nothing to check (tokens unset: the tokens check says so). */
export async function twitchEventSubCheck(
  env: Readonly<Record<string, string | undefined>>,
  moduleSettings: unknown,
): Promise<TwitchCheck | undefined> {
  const token = env['TWITCH_BOT_TOKEN']?.trim()
  if (!token || !env['TWITCH_CLIENT_ID']?.trim()) return undefined
  const name = 'twitch eventsub'
  const config = twitchConfigSchema.safeParse(moduleSettings ?? {})
  const types = config.success ? config.data.eventsub_types : Object.keys(EVENTSUB_CATALOGUE)
  if (config.success && config.data.eventsub_transport === 'off')
    return { name, status: 'ok', detail: 'off (eventsub_transport: off): subs and raids come from chat only' }
  let info: Awaited<ReturnType<typeof validateToken>>
  try {
    info = await validateToken(env['TWITCH_AUTH_URL']?.trim() || undefined, token, 3000)
  } catch (error) {
    if (error instanceof HelixError && error.status === 401)
      return {
        name,
        status: 'fail',
        detail: 'Twitch refused TWITCH_BOT_TOKEN (invalid or expired): renew it with `waddlebot auth twitch`',
      }
    return { name, status: 'warn', detail: `the token could not be validated: ${(error as Error).message}` }
  }
  const lacking = new Map<string, string[]>()
  for (const type of types) {
    const spec = EVENTSUB_CATALOGUE[type]
    if (!spec || spec.scopes.length === 0 || spec.scopes.some((s) => info.scopes.includes(s))) continue
    const scope = spec.scopes.join(' or ')
    lacking.set(scope, [...(lacking.get(scope) ?? []), type])
  }
  if (lacking.size === 0)
    return { name, status: 'ok', detail: `token of ${info.login ?? 'the bot'} covers every subscription type` }
  const list = [...lacking.entries()].map(([scope, ts]) => `${scope} (${ts.join(', ')})`).join('; ')
  return {
    name,
    status: 'warn',
    detail: `the token of ${info.login ?? 'the bot'} lacks ${list}: grant with \`waddlebot auth twitch\`, or those arrive only where the broadcaster authorized them`,
  }
}
