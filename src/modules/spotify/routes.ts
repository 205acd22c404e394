/**
 * The OAuth authorization-code flow on the spotify module's port:
 * `GET /spotify/auth/login?link=` redeems an admin-issued one-time link (login-links.ts), stores a one-time
 * `state` (10 min) for its community and redirects to Spotify's authorize page; without a valid link nothing
 * is stored (403). Unknown links and states count against a per-address limit (429); `GET /spotify/auth/callback?code&state` exchanges the code (client basic auth) and stores
 * the tokens encrypted. `GET /spotify/status` reports the connections (spotifyStatus).
 */
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { WaddleError } from '../../runtime/errors.js'
import { guessLimit, sendRateLimited } from '../../runtime/guess-limit.js'
import type { ModuleContext } from '../../runtime/module.js'
import { sql } from '../../runtime/storage/sql.js'
import { NOT_CONFIGURED, type SpotifyConfig } from './settings.js'
import type { SpotifyService } from './service.js'
import { spotifyStatus } from './status.js'

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function page(reply: FastifyReply, status: number, title: string, text: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
        `<body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`,
    )
}

export function spotifyRoutes(app: FastifyInstance, ctx: ModuleContext<SpotifyConfig, SpotifyService>): void {
  const guesses = guessLimit(ctx.cache, ctx.log, {
    what: 'Spotify login attempts',
    key: 'spotify-login',
    limit: ctx.config.login_guess_limit,
  })
  const limited = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    try {
      await guesses.check(req)
      return undefined
    } catch (error) {
      return sendRateLimited(reply, error as WaddleError)
    }
  }

  app.get<{ Querystring: { link?: string } }>('/spotify/auth/login', async (req, reply) => {
    if (await limited(req, reply)) return reply
    const svc = ctx.state
    const accounts = svc.accounts()
    if (!accounts) return page(reply, 503, 'Spotify is not configured', NOT_CONFIGURED)
    const link = typeof req.query.link === 'string' ? req.query.link : ''
    const communityId = link ? await svc.redeemLink(link) : undefined
    if (!communityId) {
      await guesses.failed(req)
      return page(
        reply,
        403,
        'Spotify login link not valid',
        'This link is missing, unknown, expired or already used. An admin issues a new one with `waddlebot spotify login` (or !spotify login in chat).',
      )
    }
    const now = svc.now()
    const state = randomBytes(24).toString('base64url')
    await ctx.storage.execute(sql`delete from spotify_oauth_states where expires_at <= ${now}`)
    await ctx.storage.execute(sql`insert into spotify_oauth_states (state, community_id, created_at, expires_at)
      values (${state}, ${communityId}, ${now}, ${now + ctx.config.state_ttl_ms})`)
    return reply.redirect(accounts.authorizeUrl(state, svc.urls.redirectUri, ctx.config.scopes), 302)
  })

  app.get<{ Querystring: { code?: string; state?: string; error?: string } }>(
    '/spotify/auth/callback',
    async (req, reply) => {
      if (await limited(req, reply)) return reply
      const { code, state, error } = req.query
      const svc = ctx.state
      if (!state)
        return page(
          reply,
          400,
          'Spotify login failed',
          'The state parameter is missing; start again from the login link.',
        )
      // One use only: the row goes whatever happens next.
      const row = await ctx.storage.one<{ community_id: string; expires_at: number | string }>(
        sql`delete from spotify_oauth_states where state = ${state} returning community_id, expires_at`,
      )
      if (!row || Number(row.expires_at) <= svc.now()) {
        await guesses.failed(req)
        return page(
          reply,
          400,
          'Spotify login expired',
          'This login is unknown or older than 10 minutes; ask an admin for a new login link.',
        )
      }
      if (error || !code)
        return page(
          reply,
          400,
          'Spotify login cancelled',
          `Spotify answered ${error ?? 'without a code'}; nothing was connected.`,
        )
      const accounts = svc.accounts()
      if (!accounts) return page(reply, 503, 'Spotify is not configured', NOT_CONFIGURED)
      try {
        const grant = await accounts.exchangeCode(code, svc.urls.redirectUri)
        await svc.tokens.save(row.community_id, grant)
      } catch (err) {
        ctx.log.warn({ err, community: row.community_id }, 'Spotify code exchange failed')
        return page(
          reply,
          502,
          'Spotify login failed',
          `Spotify did not accept the login (${(err as Error).message}); start again from the login link.`,
        )
      }
      ctx.log.info({ community: row.community_id }, 'Spotify connected')
      return page(
        reply,
        200,
        'Spotify connected',
        `Spotify is connected for community ${row.community_id}. You can close this tab.`,
      )
    },
  )

  app.get('/spotify/status', async () => spotifyStatus(ctx))
}
