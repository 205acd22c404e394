/** `!identity [link <platform> <user> | unlink <platform>]` and `!verify <code>`: one line of chat each. */
import type { CommandContext, CommandDefinition } from '../../runtime/module.js'
import type { Account } from './accounts.js'
import type { IdentityConfig } from './settings.js'
import type { IdentityState } from './state.js'

type Ctx = CommandContext<IdentityConfig, IdentityState>

/** The caller's identity (the router fills it; resolved here when it did not) and account. */
async function caller(ctx: Ctx): Promise<{ identity: string; me: Account | undefined }> {
  const { user, entity } = ctx.request
  const identity =
    user.identity_id ??
    (await ctx.state.resolver.resolve({
      platform: entity.platform,
      user_id: user.id,
      user_name: user.name,
      display_name: user.display_name,
    }))
  return { identity, me: await ctx.state.linking.account(entity.platform, user.id) }
}

const USAGE = 'Usage: !identity (your accounts) · !identity link <platform> <username> · !identity unlink <platform>'

export const identityCommands: CommandDefinition<IdentityConfig, IdentityState>[] = [
  {
    name: 'identity',
    summary: 'Your accounts on other platforms: list, link, unlink',
    usage: '[link <platform> <username> | unlink <platform>]',
    async run(ctx) {
      const [verb, platform, name] = ctx.args.map((a) => a.trim())
      const { identity, me } = await caller(ctx)
      const say = (text: string) => ({ type: 'chat' as const, text, ephemeral: true })
      if (verb === undefined || verb === '' || verb === 'list') return say(await ctx.state.linking.list(identity))
      if (verb === 'link') {
        if (!platform || !name) return say('Usage: !identity link <platform> <username>')
        return say(await ctx.state.linking.link(identity, me, platform.toLowerCase(), name))
      }
      if (verb === 'unlink') {
        if (!platform) return say('Usage: !identity unlink <platform>')
        return say(await ctx.state.linking.unlink(identity, platform.toLowerCase()))
      }
      return say(USAGE)
    },
  },
  {
    name: 'verify',
    summary: 'Completes a link with the code the bot sent you by DM',
    usage: '<code>',
    async run(ctx) {
      const code = ctx.args[0]
      const say = (text: string) => ({ type: 'chat' as const, text, ephemeral: true })
      if (!code) return say('Usage: !verify <code> (the 6-character code the bot sent you by DM)')
      const { me } = await caller(ctx)
      if (!me) return say('I do not know this account yet; try again in a moment.')
      return say(await ctx.state.linking.verify(me, code))
    },
  },
]
