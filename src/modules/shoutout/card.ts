/** The overlay card of a shoutout: a `general` response (avatar, name, game, title) with the clip to play. */
import type { Response } from '../../contract/responses.js'
import type { CommunitySettings } from './settings.js'
import type { CreatorInfo } from './twitch-info.js'

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

export function shoutoutCard(info: CreatorInfo, settings: CommunitySettings): Response {
  const avatar = /^https?:\/\//.test(info.avatarUrl)
    ? `<img class="avatar" src="${escapeHtml(info.avatarUrl)}" alt="">`
    : ''
  const game = info.game ? `<p class="game">Playing ${escapeHtml(info.game)}</p>` : ''
  const title = info.title ? `<p class="title">${escapeHtml(info.title)}</p>` : ''
  const content =
    `<div class="shoutout">${avatar}<div class="who"><h2 class="name">${escapeHtml(info.displayName)}</h2>` +
    `${game}${title}<p class="url">twitch.tv/${escapeHtml(info.login)}</p></div></div>`
  return {
    type: 'general',
    content,
    duration: settings.overlay_seconds,
    ...(info.clip
      ? {
          clip: {
            embed_url: info.clip.embed_url,
            ...(info.clip.thumbnail_url ? { thumbnail_url: info.clip.thumbnail_url } : {}),
            autoplay: settings.clip_autoplay,
            muted: settings.clip_muted,
          },
        }
      : {}),
  }
}
