/**
 * Who a reviewer is: one review per person. With the identity module in this bot, a platform account is
 * resolved to its identity (so the same person on Twitch and Discord has one review); otherwise the key is
 * `<platform>:<user id>`.
 */
import { createIdentityResolver, type IdentityResolver } from '../identity/public.js'
import type { SetupContext } from '../../runtime/module.js'

export interface MarketState {
  readonly identities: IdentityResolver | undefined
}

export async function createMarketState(ctx: SetupContext): Promise<MarketState> {
  const identities = ctx.modules.runnable().includes('identity')
    ? await createIdentityResolver(ctx.storage, ctx.cache)
    : undefined
  return { identities }
}

export async function reviewerOf(
  state: MarketState,
  platform: string,
  userId: string,
  userName = userId,
): Promise<string> {
  if (!state.identities) return `${platform}:${userId}`
  try {
    return await state.identities.resolve({ platform, user_id: userId, user_name: userName })
  } catch (error) {
    // The identity module is enabled but has not created its tables yet (it starts elsewhere, or later).
    if (/no such table|relation .* does not exist/i.test((error as Error).message)) return `${platform}:${userId}`
    throw error
  }
}
