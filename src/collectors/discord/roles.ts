/**
 * Discord → waddlebot roles. Discord has no fixed role names, so the mapping reads what a member may do:
 *
 * | Discord | waddlebot role |
 * |---|---|
 * | the guild's owner | `owner` |
 * | the Administrator permission | `admin` |
 * | Manage Messages or Moderate Members (timeout) | `moderator` |
 * | boosting the server (`premium_since` set) | `subscriber` |
 *
 * Every role that applies is sent (an owner also holds Administrator, so gets `owner`, `admin` and
 * `moderator`); the router ranks them. Direct messages carry no roles.
 */
import type { Role } from '../../contract/events.js'
import { PERMISSION } from './discord-api.js'

/** What the role mapping reads about a member. */
export interface MemberFacts {
  readonly isOwner: boolean
  /** The member's guild (or channel) permissions, when known. */
  readonly permissions: bigint | null
  readonly boosting: boolean
}

const MODERATION = PERMISSION.ManageMessages | PERMISSION.ModerateMembers

/** The waddlebot roles a Discord member holds. */
export function discordRoles(facts: MemberFacts): Role[] {
  const roles: Role[] = []
  const perms = facts.permissions ?? 0n
  if (facts.isOwner) roles.push('owner')
  if (facts.isOwner || (perms & PERMISSION.Administrator) !== 0n) roles.push('admin')
  if (facts.isOwner || (perms & PERMISSION.Administrator) !== 0n || (perms & MODERATION) !== 0n) roles.push('moderator')
  if (facts.boosting) roles.push('subscriber')
  return roles
}
