/**
 * Helix EventSub subscriptions (`GET|POST|DELETE /eventsub/subscriptions`) and the two calls on Twitch's
 * auth server (TWITCH_AUTH_URL, default https://id.twitch.tv) they need: `GET /oauth2/validate` (the
 * token's user and scopes) and the client-credentials `POST /oauth2/token` (the app token webhook
 * subscriptions are created with).
 */
import { type HelixCall, HelixError } from './helix.js'

export const DEFAULT_AUTH_URL = 'https://id.twitch.tv'

export type EventSubTransport =
  | { readonly method: 'websocket'; readonly session_id: string }
  | { readonly method: 'webhook'; readonly callback: string; readonly secret: string }

/** One subscription as Helix lists it. */
export interface EventSubSubscription {
  readonly id: string
  readonly status: string
  readonly type: string
  readonly version: string
  readonly condition: Readonly<Record<string, string>>
  readonly cost: number
  readonly created_at?: string
  readonly transport: { readonly method: string; readonly session_id?: string; readonly callback?: string }
}

export interface SubscriptionList {
  readonly data: EventSubSubscription[]
  readonly total: number
  readonly total_cost: number
  readonly max_total_cost: number
}

export interface EventSubHelix {
  /** Every subscription this token can see (all pages). */
  list(filter?: { status?: string; type?: string; user_id?: string }): Promise<SubscriptionList>
  create(request: {
    type: string
    version: string
    condition: Record<string, string>
    transport: EventSubTransport
  }): Promise<EventSubSubscription>
  /** Deletes one subscription; a 404 (already gone) is not an error. */
  remove(id: string): Promise<void>
}

/** The EventSub part of Helix, over a caller from `helixCaller`. */
export function eventSubHelix(call: HelixCall): EventSubHelix {
  return {
    async list(filter = {}) {
      const data: EventSubSubscription[] = []
      let after: string | undefined
      let page:
        | {
            data?: EventSubSubscription[]
            total?: number
            total_cost?: number
            max_total_cost?: number
            pagination?: { cursor?: string }
          }
        | undefined
      for (let i = 0; i < 50; i++) {
        const query = Object.entries({ ...filter, ...(after ? { after } : {}) }).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        )
        page = (await call('GET', '/eventsub/subscriptions', query)) as typeof page
        data.push(...(page?.data ?? []))
        after = page?.pagination?.cursor
        if (!after) break
      }
      return {
        data,
        total: page?.total ?? data.length,
        total_cost: page?.total_cost ?? 0,
        max_total_cost: page?.max_total_cost ?? 0,
      }
    },
    async create(request) {
      const body = (await call('POST', '/eventsub/subscriptions', [], request)) as
        | { data?: EventSubSubscription[] }
        | undefined
      const created = body?.data?.[0]
      if (!created) throw new HelixError(502, 'Helix POST /eventsub/subscriptions: no subscription in the answer')
      return created
    },
    async remove(id) {
      try {
        await call('DELETE', '/eventsub/subscriptions', [['id', id]])
      } catch (error) {
        if (!(error instanceof HelixError && error.status === 404)) throw error
      }
    },
  }
}

/** What `GET /oauth2/validate` says about a user token. */
export interface TokenInfo {
  readonly client_id: string
  readonly login?: string
  readonly user_id?: string
  readonly scopes: readonly string[]
  readonly expires_in?: number
}

const authBase = (url: string | undefined) => (url ?? DEFAULT_AUTH_URL).replace(/\/+$/, '')

/** The token's user and scopes; throws HelixError (401 for an invalid or expired token). */
export async function validateToken(
  authUrl: string | undefined,
  token: string,
  timeoutMs = 10_000,
): Promise<TokenInfo> {
  let res: globalThis.Response
  try {
    res = await fetch(`${authBase(authUrl)}/oauth2/validate`, {
      headers: { authorization: `OAuth ${token.replace(/^oauth:/, '')}` },
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    throw new HelixError(0, `token validation unreachable: ${(error as Error).message}`, { cause: error })
  }
  if (!res.ok) throw new HelixError(res.status, `token validation: ${res.status} ${(await res.text()).slice(0, 200)}`)
  const body = (await res.json()) as Partial<TokenInfo>
  return {
    client_id: body.client_id ?? '',
    scopes: body.scopes ?? [],
    ...(body.login ? { login: body.login } : {}),
    ...(body.user_id ? { user_id: body.user_id } : {}),
  }
}

/** An app access token (client credentials), for webhook subscriptions. */
export async function appAccessToken(
  authUrl: string | undefined,
  clientId: string,
  clientSecret: string,
  timeoutMs = 10_000,
): Promise<string> {
  const body = new URLSearchParams({
    client_id: clientId,
    client_secret: clientSecret,
    grant_type: 'client_credentials',
  })
  let res: globalThis.Response
  try {
    res = await fetch(`${authBase(authUrl)}/oauth2/token`, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    throw new HelixError(0, `app token request unreachable: ${(error as Error).message}`, { cause: error })
  }
  if (!res.ok) throw new HelixError(res.status, `app token request: ${res.status} ${(await res.text()).slice(0, 200)}`)
  const token = ((await res.json()) as { access_token?: unknown }).access_token
  if (typeof token !== 'string' || token === '')
    throw new HelixError(502, 'app token request: no access_token in the answer')
  return token
}
