/**
 * Who may do what. Roles come from the event (the platform's broadcaster / moderator / vip / subscriber);
 * the labels and identity modules are not consulted yet (docs/memories.md says so).
 */
import { type PermissionLevel, permissionRank, userLevel } from '../../runtime/module.js'

export const holds = (roles: readonly string[], level: PermissionLevel): boolean =>
  userLevel(roles) >= permissionRank(level)

const PLURAL: Readonly<Record<PermissionLevel, string>> = {
  everyone: 'everyone',
  subscriber: 'subscribers',
  vip: 'VIPs',
  moderator: 'moderators',
  admin: 'admins',
  broadcaster: 'the broadcaster',
}

/** "moderators and above" */
export const whoMay = (level: PermissionLevel): string =>
  level === 'everyone' || level === 'broadcaster' ? PLURAL[level] : `${PLURAL[level]} and above`
