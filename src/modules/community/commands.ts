/**
 * `!community create|info|members|join|leave|role`: a community from chat. Creating one takes the channel's
 * owner (broadcaster/owner platform role, or admin); `role` takes the community's owner or an admin. Every
 * answer is one line; admin actions are audited (store.ts).
 */
import type { CommandContext, CommandDefinition, Reply } from '../../runtime/module.js'
import { userLevel, permissionRank } from '../../runtime/module.js'
import { isWaddleError } from '../../runtime/errors.js'
import { DEFAULT_COMMUNITY } from '../router/public.js'
import { tempPasswordForIdentity, tempPasswordTtlMs } from '../hub/public.js'
import { announceEntity, forgetRole } from './notify.js'
import {
  type Actor,
  actorLabel,
  addEntity,
  COMMUNITY_ROLES,
  type CommunityRole,
  createCommunity,
  entitiesOf,
  findCommunity,
  join,
  leave,
  membersNamed,
  membersOf,
  roleOf,
  roleRank,
  setRole,
} from './store.js'

type Ctx = CommandContext<Record<string, unknown>, undefined>

const NO_COMMUNITY = 'This channel is in no community yet: its owner can make one with !community create <name>.'
const USAGE =
  'Usage: !community info · members · join · leave · create <name> · role <user> <owner|admin|moderator|member> · portal login'

function actorOf(ctx: Ctx): Actor {
  const { user, entity } = ctx.request
  return {
    platform: entity.platform,
    user_id: user.id,
    name: user.display_name ?? user.name,
    identity_id: user.identity_id,
  }
}

async function create(ctx: Ctx, name: string): Promise<string> {
  const { entity, user } = ctx.request
  if (userLevel(user.roles) < permissionRank('admin'))
    return "Only the channel's owner (or an admin) can create a community here."
  if (entity.community_id !== DEFAULT_COMMUNITY) {
    const current = await findCommunity(ctx.storage, entity.community_id)
    return `This channel already belongs to ${current?.name ?? entity.community_id}.`
  }
  const me = actorOf(ctx)
  try {
    const c = await createCommunity(ctx.storage, { name, actor: actorLabel(me), owner: me })
    await addEntity(ctx.storage, { community: c.id, entityId: entity.id, actor: actorLabel(me) })
    await announceEntity(ctx.cache, entity.id)
    return `Community ${c.name} created with this channel; you are its owner. Add channels on other platforms with \`waddlebot community add-entity ${c.id} <platform>:<server>:<channel>\`.`
  } catch (error) {
    if (isWaddleError(error)) return error.message
    throw error
  }
}

async function info(ctx: Ctx): Promise<string> {
  const c = await findCommunity(ctx.storage, ctx.request.entity.community_id)
  if (!c || c.id === DEFAULT_COMMUNITY) return NO_COMMUNITY
  const entities = await entitiesOf(ctx.storage, c.id)
  const members = await membersOf(ctx.storage, c.id)
  const platforms = [...new Set(entities.map((e) => e.platform))].join(', ')
  const mine = (await roleOf(ctx.storage, c.id, actorOf(ctx))) ?? 'not a member'
  return `${c.name}: ${entities.length} channel${entities.length === 1 ? '' : 's'} (${platforms}), ${members.length} member${members.length === 1 ? '' : 's'}. Your role: ${mine}.`
}

async function members(ctx: Ctx): Promise<string> {
  const cid = ctx.request.entity.community_id
  if (cid === DEFAULT_COMMUNITY) return NO_COMMUNITY
  const all = await membersOf(ctx.storage, cid)
  const staff = all
    .filter((m) => m.role !== 'member')
    .sort((a, b) => roleRank(b.role) - roleRank(a.role))
    .map((m) => `${m.display_name ?? m.platform_user_id} (${m.role}, ${m.platform})`)
  return `${all.length} member${all.length === 1 ? '' : 's'}${staff.length ? `; staff: ${staff.join(', ')}` : ''}.`
}

async function role(ctx: Ctx, target: string | undefined, wanted: string | undefined): Promise<string> {
  const cid = ctx.request.entity.community_id
  if (cid === DEFAULT_COMMUNITY) return NO_COMMUNITY
  if (!target || !wanted) return 'Usage: !community role <user> <admin|moderator|member>'
  const to = wanted.toLowerCase()
  if (!(COMMUNITY_ROLES as readonly string[]).includes(to))
    return `Roles are ${COMMUNITY_ROLES.join(', ')}; "${wanted}" is not one of them.`
  if (to === 'owner') return 'Ownership cannot be handed over from chat.'
  const me = actorOf(ctx)
  const mine = (await roleOf(ctx.storage, cid, me)) ?? 'member'
  const myRank = Math.max(
    roleRank(mine),
    userLevel(ctx.request.user.roles) >= permissionRank('broadcaster') ? roleRank('admin') : 0,
  )
  if (myRank < roleRank('admin')) return "Only the community's owner or an admin can change roles."
  const found = await membersNamed(ctx.storage, cid, target)
  if (found.length === 0) return `${target} is not a member yet: they can type !community join.`
  const member = found[0]!
  if (member.role === 'owner') return "The owner's role cannot be changed."
  if (roleRank(to) >= myRank && mine !== 'owner') return 'Only the owner can make admins.'
  if (member.role === to) return `${member.display_name} is already ${to}.`
  await setRole(ctx.storage, { communityId: cid, member, role: to as CommunityRole, actor: actorLabel(me) })
  for (const m of found) await forgetRole(ctx.cache, cid, m)
  return `${member.display_name} is now ${to} in this community, on every platform.`
}

/** `!community portal login`: a one-time password for the hub, sent privately (never in the channel). */
async function portalLogin(ctx: Ctx): Promise<Reply> {
  const { user } = ctx.request
  if (!ctx.modules.runnable().includes('hub')) return 'The hub (web portal) is not enabled on this bot.'
  if (!user.identity_id) return 'The hub needs the identity module to know who you are; ask the operator to enable it.'
  const issued = await tempPasswordForIdentity(
    ctx.storage,
    user.identity_id,
    `chat:${actorLabel(actorOf(ctx))}`,
    tempPasswordTtlMs(ctx.settings),
  )
  const minutes = Math.round((issued.expires_at - Date.now()) / 60_000)
  return [
    {
      type: 'whisper',
      to_user_id: user.id,
      text: `Your one-time hub password (valid ${minutes} min, works once): ${issued.password} — log in at ${ctx.modules.url('hub')}/login as ${ctx.request.entity.platform}:${user.name.toLowerCase()}`,
    },
    'I sent you a one-time password for the hub in a private message.',
  ]
}

export const communityCommands: CommandDefinition<Record<string, unknown>, undefined>[] = [
  {
    name: 'community',
    summary: 'This channel’s community: info, members, join, leave, create, role, portal login',
    usage: '[info|members|join|leave|create <name>|role <user> <role>|portal login]',
    async run(ctx): Promise<Reply> {
      const [verb = 'info', ...rest] = ctx.args
      const cid = ctx.request.entity.community_id
      switch (verb.toLowerCase()) {
        case 'info':
          return info(ctx)
        case 'members':
          return members(ctx)
        case 'create':
          return rest.length ? create(ctx, rest.join(' ')) : 'Usage: !community create <name>'
        case 'join':
          if (cid === DEFAULT_COMMUNITY) return NO_COMMUNITY
          return (await join(ctx.storage, cid, actorOf(ctx)))
            ? 'Welcome! You joined this community.'
            : 'You are already a member.'
        case 'leave': {
          if (cid === DEFAULT_COMMUNITY) return NO_COMMUNITY
          const me = actorOf(ctx)
          if ((await roleOf(ctx.storage, cid, me)) === 'owner') return 'The owner cannot leave their community.'
          const left = await leave(ctx.storage, cid, me)
          if (left)
            await forgetRole(ctx.cache, cid, {
              platform: me.platform,
              platform_user_id: me.user_id,
              user_id: me.identity_id ?? null,
            })
          return left ? 'You left this community.' : 'You are not a member.'
        }
        case 'role':
          return role(ctx, rest[0], rest[1])
        case 'portal':
          return rest[0]?.toLowerCase() === 'login' ? portalLogin(ctx) : 'Usage: !community portal login'
        default:
          return USAGE
      }
    },
  },
]
