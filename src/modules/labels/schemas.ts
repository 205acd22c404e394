/**
 * The labels wire: target kinds, label names, and the zod schemas of the REST bodies (routes.ts) and of the
 * module's config (`modules.labels` in waddlebot.yaml).
 */
import { z } from 'zod'

export const TARGET_TYPES = ['user', 'community', 'entity', 'module'] as const
export type TargetType = (typeof TARGET_TYPES)[number]

/** Lower-case, 1–32 characters: letters, digits, `-` and `_`, starting with a letter or digit. */
export const LABEL_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000

export const labelName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(LABEL_PATTERN, 'must be 1–32 lower-case letters, digits, - or _ (e.g. vip-guest)')
const id = z.string().trim().min(1).max(256)

export const targetSchema = z.object({
  community_id: id,
  target_type: z.enum(TARGET_TYPES),
  target_id: id,
})
export type Target = z.infer<typeof targetSchema>

export const checkSchema = targetSchema.extend({ label: labelName })
export type LabelCheck = z.infer<typeof checkSchema>

export const applySchema = checkSchema.extend({
  /** epoch ms; omitted (or null) = never expires. */
  expires_at: z.number().int().positive().nullable().optional(),
  /** Alternative to expires_at: lifetime from now, ms. */
  ttl_ms: z.number().int().positive().max(TEN_YEARS_MS).optional(),
  applied_by: z.string().trim().min(1).max(256).optional(),
  /** A display name for the target (users), used by search results and `!label who`. */
  target_name: z.string().trim().min(1).max(256).optional(),
})
export type LabelApply = z.infer<typeof applySchema>

export const bulkSchema = z.object({ applications: z.array(z.unknown()).min(1).max(1000) })

export const searchSchema = z.object({
  community_id: id,
  /** One label, or several separated by commas: targets carrying all of them. */
  label: z
    .string()
    .trim()
    .min(1)
    .transform((s) => s.split(',').map((x) => x.trim().toLowerCase()))
    .pipe(z.array(z.string().regex(LABEL_PATTERN, 'must be label names separated by commas')).min(1).max(5)),
  target_type: z.enum(TARGET_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
})

export const labelsConfigSchema = z.object({
  /** Labels on one user within one community. */
  max_per_user: z.number().int().min(1).max(1000).default(5),
  /** Labels on the community itself. */
  max_per_community: z.number().int().min(1).max(1000).default(5),
  /** Labels on one entity (channel) or one module within a community. */
  max_per_target: z.number().int().min(1).max(1000).default(5),
  /** How long a target's labels are cached (ms); every change invalidates at once. */
  cache_ttl_ms: z.number().int().min(0).max(3_600_000).default(60_000),
})
export type LabelsConfig = z.infer<typeof labelsConfigSchema>

/** The limit that applies to a target of `type`. */
export function limitFor(config: LabelsConfig, type: TargetType): number {
  return type === 'user' ? config.max_per_user : type === 'community' ? config.max_per_community : config.max_per_target
}

/** The label key a user is known by: the identity when the router filled it, else `<platform>:<user id>`. */
export function userTargetId(user: { id: string; identity_id?: string | undefined }, platform: string): string {
  return user.identity_id ?? `${platform}:${user.id}`
}
