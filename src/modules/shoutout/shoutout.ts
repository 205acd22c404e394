/**
 * One shoutout, whatever started it (`!so`, a raid, a listed creator's first message): checks the target,
 * looks the creator up on Twitch, renders the community's chat line, adds the overlay card (Twitch and local
 * chats) and queues Twitch's own /shoutout (Twitch chats). Discord, Slack and other chats get the text line
 * with the profile link. Expected refusals are values (one chat line), never exceptions.
 */
import type { Response } from '../../contract/responses.js'
import type { ExecutionRequest } from '../../contract/execution.js'
import type { Logger } from '../../runtime/logger.js'
import { shoutoutCard } from './card.js'
import { type CommunitySettings, TWITCH_LOGIN } from './settings.js'
import type { ShoutoutStore, Trigger, TwitchOutcome } from './store.js'
import { MAX_LINE, renderTemplate } from './template.js'
import { type CreatorInfo, SHOUTOUT_SCOPE, type TwitchInfo } from './twitch-info.js'
import type { TwitchShoutoutQueue } from './twitch-queue.js'

export interface ShoutoutDeps {
  readonly store: ShoutoutStore
  readonly twitch: TwitchInfo
  readonly queue: TwitchShoutoutQueue
  readonly log: Logger
  readonly now: () => number
}

export type ShoutoutResult =
  | { readonly ok: true; readonly responses: Response[]; readonly twitch: TwitchOutcome }
  | { readonly ok: false; readonly reason: string }

/** `@Name` → `name`; undefined when it is not a Twitch login. */
export function targetLogin(raw: string | undefined): string | undefined {
  const login = (raw ?? '').trim().replace(/^@/, '').toLowerCase()
  return TWITCH_LOGIN.test(login) ? login : undefined
}

/** Chats where the card and Twitch's own shoutout make sense (the `local` chat stands in for Twitch in dev). */
const STREAM_PLATFORMS = new Set(['twitch', 'local'])

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000))

export async function giveShoutout(
  deps: ShoutoutDeps,
  req: ExecutionRequest,
  target: string,
  trigger: Trigger,
  settings: CommunitySettings,
): Promise<ShoutoutResult> {
  const community = req.entity.community_id
  const platform = req.entity.platform
  const caller = req.user.name.toLowerCase()
  const channel = req.entity.channel_id.replace(/^#/, '').toLowerCase()
  if (trigger === 'command' && target === caller) return { ok: false, reason: "You can't shout yourself out." }
  if (platform === 'twitch' && target === channel)
    return { ok: false, reason: "That's this channel: no self-shoutouts." }
  const bot = await deps.twitch.bot().catch(() => undefined)
  if (bot && target === bot.login) return { ok: false, reason: "I can't shout myself out." }

  let info: CreatorInfo | undefined
  let lookupFailed = false
  try {
    info = await deps.twitch.lookup(target, settings.clip_days)
    if (!info && deps.twitch.helix) return { ok: false, reason: `Twitch knows no user named ${target}.` }
  } catch (error) {
    lookupFailed = true
    deps.log.warn({ err: error, target }, 'Twitch lookup for a shoutout failed; shouting out without details')
  }
  const url = `https://twitch.tv/${info?.login ?? target}`
  const name = info?.displayName ?? target
  const values = { name, game: info?.game ?? '', title: info?.title ?? '', url, clip: info?.clip?.url ?? '' }
  let line = renderTemplate(settings.template, values)
  const creator = await deps.store.creator(community, target)
  if (creator?.message) line = `${line} ${creator.message}`.slice(0, MAX_LINE)
  const stream = STREAM_PLATFORMS.has(platform)
  if (!stream && !line.includes(url)) line = `${line} ${url}`
  const responses: Response[] = [{ type: 'chat', text: line }]
  if (stream && settings.overlay) {
    responses.push(
      shoutoutCard(
        info ?? { id: '', login: target, displayName: name, avatarUrl: '', game: '', title: '', clip: undefined },
        settings,
      ),
    )
  }
  const historyId = await deps.store.record({
    community_id: community,
    entity_id: req.entity.id,
    platform,
    target_login: target,
    target_name: name,
    triggered_by: trigger === 'command' ? caller : trigger,
    trigger,
    game: info?.game ?? '',
    title: info?.title ?? '',
    clip_url: info?.clip?.url ?? null,
    twitch_shoutout: 'off',
    created_at: deps.now(),
  })
  const twitch = await nativeShoutout(deps, req, historyId, info, settings, lookupFailed)
  if (twitch.line && trigger === 'command') responses.push({ type: 'chat', text: twitch.line })
  return { ok: true, responses, twitch: twitch.outcome }
}

/** Twitch's own /shoutout for a Twitch chat, queued within Twitch's limits; a line to add when worth saying. */
async function nativeShoutout(
  deps: ShoutoutDeps,
  req: ExecutionRequest,
  historyId: number,
  info: CreatorInfo | undefined,
  settings: CommunitySettings,
  lookupFailed: boolean,
): Promise<{ outcome: TwitchOutcome; line?: string }> {
  const record = async (outcome: TwitchOutcome, line?: string) => {
    await deps.store.setTwitchOutcome(historyId, outcome)
    return line === undefined ? { outcome } : { outcome, line }
  }
  if (req.entity.platform !== 'twitch') return record('not_twitch')
  if (!settings.twitch_shoutout) return record('off')
  if (!deps.twitch.helix || !info || lookupFailed) return record('unavailable')
  const bot = await deps.twitch.bot().catch(() => undefined)
  if (!bot) return record('unavailable')
  if (!bot.scopes.includes(SHOUTOUT_SCOPE))
    return record(
      'no_scope',
      `(Twitch's own /shoutout is not sent: the bot's token lacks the ${SHOUTOUT_SCOPE} scope; run \`waddlebot auth twitch\` again.)`,
    )
  const fromRaid = req.event?.data['broadcaster_id']
  const broadcasterId =
    (typeof fromRaid === 'string' && fromRaid) ||
    (await deps.twitch.broadcasterId(req.entity.channel_id.replace(/^#/, '')).catch(() => undefined))
  if (!broadcasterId) return record('unavailable')
  const result = await deps.queue.submit({
    communityId: req.entity.community_id,
    historyId,
    broadcasterId,
    targetId: info.id,
    targetLogin: info.login,
    moderatorId: bot.id,
  })
  if (result.outcome === 'queued') {
    return record(
      'queued',
      `(Twitch's /shoutout for ${info.displayName} is queued: Twitch allows one every 2 minutes and the same streamer once an hour; it goes out in about ${minutes(result.at - deps.now())} min.)`,
    )
  }
  if (result.outcome === 'failed') {
    const reason = (result.reason ?? 'no reason given').replace(/^Helix \S+ \S+: /, '')
    return { outcome: 'failed', line: `(Twitch refused its own /shoutout: ${reason})` }
  }
  return { outcome: result.outcome }
}
