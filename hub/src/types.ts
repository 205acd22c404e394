/** Shapes of the hub API answers (src/modules/hub/api.ts is the source of truth; the UI keeps no zod). */
export type CommunityRole = 'member' | 'moderator' | 'admin' | 'owner'
export const ROLE_RANK: Record<CommunityRole, number> = { member: 0, moderator: 1, admin: 2, owner: 3 }
export type Account = { platform: string; platform_user_id: string; user_name: string; display_name: string | null }
export type Me = {
  user_id: string
  display_name: string
  platform_admin: boolean
  identities: Account[]
  session: { id: string; expires_at: number }
}
export type CommunitySummary = {
  id: string
  name: string
  display_name: string
  description: string | null
  member_count: number
}
export type MyCommunity = CommunitySummary & { role: CommunityRole; reputation: number }
export type LeaderRow = {
  rank: number
  user_id: string | null
  display_name: string | null
  platform: string
  score: number
}
export type Member = {
  platform: string
  platform_user_id: string
  user_id: string | null
  display_name: string | null
  role: CommunityRole
  reputation: number
  joined_at: number
}
export type Command = {
  name: string
  module: string
  summary: string
  enabled: boolean
  cooldown_ms: number | null
  permission: string | null
}
export type Alias = { name: string; response: string }
export type Overlay = { type: 'media' | 'ticker' | 'general'; url: string }
export type Label = { label: string; target_type: string; target_id: string }
export type AuditRow = {
  id: string | number
  actor: string
  action: string
  target_type: string | null
  target_id: string | null
  details: unknown
  created_at: number
}
export type Rule = {
  id?: number | string
  pattern: string
  match_type?: string
  action?: string
  action_value?: string | null
  priority?: number
  enabled?: boolean
  [k: string]: unknown
}
export type DryRun = {
  lines: number
  lines_with_hits: number
  skipped?: number
  rules: {
    id: number | string
    pattern: string
    match_type: string
    action: string
    entity_id: string | null
    hits: number
  }[]
}
export type HealthRow = {
  module: string
  url: string
  status: 'ok' | 'degraded' | 'down'
  detail?: unknown
  metrics_lines?: number
}
