/**
 * Whether a new event skips approval: its creator is at or above `moderate_permission`, or holds the
 * `event-autoapprove` label, asked of the labels module (`POST /api/v1/labels/check`). When labels is not
 * run or configured, or answers anything but `{has: boolean}`, the answer is "no label" (logged at debug).
 */
import type { SetupContext } from '../../runtime/module.js'
import { permissionRank, userLevel } from '../../runtime/module.js'
import { type CalendarConfig, communitySettings } from './settings.js'

export type Approval = 'moderator' | 'label' | null

export async function autoApproval(
  ctx: SetupContext<CalendarConfig>,
  communityId: string,
  user: { readonly id: string; readonly roles: readonly string[] },
): Promise<Approval> {
  if (userLevel(user.roles) >= permissionRank(communitySettings(ctx.config, communityId).moderate)) return 'moderator'
  return (await hasLabel(ctx, communityId, user.id)) ? 'label' : null
}

async function hasLabel(ctx: SetupContext<CalendarConfig>, communityId: string, userId: string): Promise<boolean> {
  const label = ctx.config.autoapprove_label
  if (!ctx.modules.runnable().includes('labels') && !ctx.settings.modules.labels?.url) {
    ctx.log.debug({ label }, 'labels module not run or configured: no auto-approve label')
    return false
  }
  try {
    const res = await ctx.modules.request('labels', '/api/v1/labels/check', {
      method: 'POST',
      body: { community_id: communityId, target_type: 'user', target_id: userId, label },
      timeoutMs: 2000,
    })
    const body = res.ok ? ((await res.json()) as { has?: unknown }) : undefined
    if (typeof body?.has !== 'boolean') {
      ctx.log.debug({ status: res.status, label }, 'labels check gave no answer: no auto-approve label')
      return false
    }
    return body.has
  } catch (err) {
    ctx.log.debug({ err, label }, 'labels check failed: no auto-approve label')
    return false
  }
}
