/**
 * Chat: `#modules` lists the community modules installed here (and how to find more); `!marketplace
 * search [words] | install <module> [approve] | remove <module>` for community admins. Install asks first
 * when the module wants scopes: the admin approves them by repeating the command with `approve`.
 */
import { isWaddleError } from '../../runtime/errors.js'
import type { CommandContext, CommandDefinition } from '../../runtime/module.js'
import { install, installedIn, uninstall } from './installs.js'
import { manifestOf, searchModules } from './registry.js'
import type { MarketState } from './reviewers.js'
import { MODULE_NAME } from './schema.js'

type Ctx = CommandContext<Record<string, unknown>, MarketState>

const USAGE = 'Usage: !marketplace search [words] · install <module> [approve] · remove <module>'

async function modulesHere(ctx: Ctx): Promise<string> {
  const here = (await installedIn(ctx.storage, ctx.request.entity.community_id)).filter((i) => i.enabled)
  if (here.length === 0)
    return 'No community modules here yet. An admin can add one: !marketplace search, then !marketplace install <module>.'
  return `Community modules here: ${here.map((i) => `${i.module} ${i.version} (${i.commands.join(' ')})`).join(' · ')}`
}

async function search(ctx: Ctx, words: string): Promise<string> {
  const found = await searchModules(ctx.storage, words)
  if (found.length === 0) return words ? `No module matches "${words.slice(0, 40)}".` : 'The marketplace is empty.'
  return found
    .slice(0, 8)
    .map((m) => `${m.name} ${m.latest_version}: ${m.summary} (${m.commands.join(' ')})`)
    .join(' · ')
}

async function installHere(ctx: Ctx, name: string, approve: boolean): Promise<string> {
  const { entity, user } = ctx.request
  const manifest = await manifestOf(ctx.storage, name)
  if (manifest.scopes.length > 0 && !approve)
    return `${name} ${manifest.version} asks for: ${manifest.scopes.join(', ')}. To approve and install: !marketplace install ${name} approve`
  const done = await install(ctx.storage, {
    community: entity.community_id,
    module: name,
    approveScopes: manifest.scopes,
    actor: `${entity.platform}:${user.id}`,
    env: ctx.settings.env,
    notify: () => ctx.cache.publish('commands:changed', { module: 'marketplace' }),
  })
  return `Installed ${name} ${done.version}: ${done.commands.join(' ')} now work in this community.`
}

async function removeHere(ctx: Ctx, name: string): Promise<string> {
  const { entity, user } = ctx.request
  await uninstall(ctx.storage, {
    community: entity.community_id,
    module: name,
    actor: `${entity.platform}:${user.id}`,
    notify: () => ctx.cache.publish('commands:changed', { module: 'marketplace' }),
  })
  return `Removed ${name} from this community.`
}

async function marketplace(ctx: Ctx): Promise<string> {
  const [verb, name, extra] = ctx.args.map((a) => a.toLowerCase())
  try {
    if (verb === 'search') return await search(ctx, ctx.args.slice(1).join(' '))
    if ((verb === 'install' || verb === 'remove') && name && MODULE_NAME.test(name)) {
      return verb === 'install' ? await installHere(ctx, name, extra === 'approve') : await removeHere(ctx, name)
    }
    return USAGE
  } catch (error) {
    if (isWaddleError(error)) return `${error.message}.`
    throw error
  }
}

export const marketplaceCommands: CommandDefinition<Record<string, unknown>, MarketState>[] = [
  {
    name: 'modules',
    prefix: '#',
    summary: 'Lists the community modules installed here',
    run: modulesHere,
  },
  {
    name: 'marketplace',
    summary: 'Finds, installs and removes community modules',
    usage: 'search [words] | install <module> [approve] | remove <module>',
    permission: 'admin',
    timeoutMs: 15_000,
    run: marketplace,
  },
]
