/** What the spotify commands and routes share per hosted module: the token manager, URLs and clients. */
import type { SetupContext } from '../../runtime/module.js'
import { createTokenCipher, resolveTokenKey } from './crypto.js'
import { issueLoginLink, redeemLoginLink } from './login-links.js'
import { type SpotifyConfig, spotifyCredentials, type SpotifyUrls, spotifyUrls } from './settings.js'
import { SpotifyAccounts, SpotifyApi } from './spotify-api.js'
import { TokenManager } from './tokens.js'

export interface SpotifyService {
  readonly tokens: TokenManager
  readonly urls: SpotifyUrls
  readonly now: () => number
  readonly keySource: string
  /** The accounts client, or undefined when the client id/secret are unset. */
  accounts(): SpotifyAccounts | undefined
  /** A one-time, expiring, signed login link for the community (login-links.ts). */
  issueLoginUrl(communityId: string): Promise<string>
  /** Redeems a login link: its community, or undefined. */
  redeemLink(link: string): Promise<string | undefined>
  /** A Web API client acting for the community's streamer. */
  api(communityId: string): SpotifyApi
}

export function createSpotifyService(ctx: SetupContext<SpotifyConfig>, now: () => number): SpotifyService {
  const { key, source } = resolveTokenKey(ctx.settings)
  const urls = spotifyUrls(ctx.settings, ctx.modules.url('spotify'), ctx.config)
  const accounts = (): SpotifyAccounts | undefined => {
    const creds = spotifyCredentials(ctx.settings)
    return creds
      ? new SpotifyAccounts({ accountsUrl: urls.accountsUrl, ...creds, timeoutMs: ctx.config.api_timeout_ms })
      : undefined
  }
  const tokens = new TokenManager({
    db: ctx.storage,
    cipher: createTokenCipher(key),
    accounts: () => {
      const a = accounts()
      if (!a) throw new Error('Spotify is not configured: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET')
      return a
    },
    now,
    refreshMarginMs: ctx.config.refresh_margin_s * 1000,
    log: ctx.log,
  })
  return {
    tokens,
    urls,
    now,
    keySource: source,
    accounts,
    issueLoginUrl: async (communityId) =>
      urls.loginUrl((await issueLoginLink(ctx.storage, key, communityId, now(), ctx.config.login_link_ttl_ms)).link),
    redeemLink: (link) => redeemLoginLink(ctx.storage, key, link, now()),
    api: (communityId) =>
      new SpotifyApi(urls.apiUrl, ctx.config.api_timeout_ms, (force) => tokens.access(communityId, force)),
  }
}
