/** `modules.calendar` settings: the time zone and who approves, globally and per community. */
import { z } from 'zod'
import { PERMISSION_LEVELS, type PermissionLevel } from '../../runtime/module.js'
import { isValidZone } from './zoned-time.js'

const level = z.enum(PERMISSION_LEVELS)
const zone = z.string().refine(isValidZone, 'is not an IANA time zone (e.g. Europe/Berlin)')

export const calendarConfigSchema = z.object({
  /** The zone event times are given and shown in (default UTC). */
  timezone: zone.default('UTC'),
  /** Lowest role whose events need no approval and who may approve, reject and cancel any event. */
  moderate_permission: level.default('moderator'),
  /** Lowest role that may create events (default everyone; they wait for approval). */
  create_permission: level.default('everyone'),
  /** Per-community overrides: `communities.<community id>.timezone` and the permissions above. */
  communities: z
    .record(
      z.string(),
      z.object({
        timezone: zone.optional(),
        moderate_permission: level.optional(),
        create_permission: level.optional(),
      }),
    )
    .default({}),
  /** Length of an event in the iCalendar feed (no end time is asked for in chat). */
  duration_minutes: z.number().int().min(1).max(1440).default(60),
  /** Serve the iCalendar feed `GET /calendar/<community>.ics` (no key needed). */
  feed: z.boolean().default(true),
  /** Most events one `list` line names. */
  list_limit: z.number().int().min(1).max(20).default(5),
  /** The label that lets a member's events skip approval (checked with the labels module). */
  autoapprove_label: z.string().default('event-autoapprove'),
})

export type CalendarConfig = z.infer<typeof calendarConfigSchema>

export interface CommunitySettings {
  readonly timezone: string
  readonly moderate: PermissionLevel
  readonly create: PermissionLevel
}

export function communitySettings(config: CalendarConfig, communityId: string): CommunitySettings {
  const own = config.communities[communityId]
  return {
    timezone: own?.timezone ?? config.timezone,
    moderate: own?.moderate_permission ?? config.moderate_permission,
    create: own?.create_permission ?? config.create_permission,
  }
}
