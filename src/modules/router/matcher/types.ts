/**
 * String-matching rules (table `stringmatch`): moderation and auto-responses evaluated on chat messages.
 * Field names follow the table and the admin HTTP API (snake_case).
 */

/** How a rule's pattern is compared with a message. */
export const MATCH_TYPES = ['exact', 'contains', 'word', 'regex'] as const
export type MatchType = (typeof MATCH_TYPES)[number]

/** What happens when a rule matches. */
export const RULE_ACTIONS = ['warn', 'delete', 'timeout', 'ban', 'respond', 'command', 'webhook'] as const
export type RuleAction = (typeof RULE_ACTIONS)[number]

/** The moderation actions, weakest first (the strongest wins among hits of equal priority). */
export const MODERATION_ACTIONS = ['warn', 'delete', 'timeout', 'ban'] as const
export type ModerationAction = (typeof MODERATION_ACTIONS)[number]

/** The pattern that matches every message (an entity-wide or global catch-all), whatever the match type. */
export const CATCH_ALL = '*'

/** Longest pattern accepted, in UTF-16 code units. */
export const MAX_PATTERN_LENGTH = 500

/** A regex rule only ever sees the first this-many code units of a message (bounds backtracking cost). */
export const REGEX_INPUT_LIMIT = 2000

/** One row of `stringmatch`. */
export interface StringRule {
  readonly id: number
  readonly pattern: string
  readonly match_type: MatchType
  readonly case_sensitive: boolean
  /** Lower runs (and wins) first; default 100. */
  readonly priority: number
  /** null = global rule; otherwise the one entity (`platform:server:channel`) it applies to. */
  readonly entity_id: string | null
  readonly action: RuleAction
  /** respond: the reply text · command: the command line · webhook: the URL · moderation: the reason. */
  readonly action_value: string | null
  /** timeout: the duration in seconds (600 when null). */
  readonly timeout_seconds: number | null
  readonly enabled: boolean
  readonly created_by: string | null
  /** epoch ms */
  readonly created_at: number
  /** epoch ms */
  readonly updated_at: number
  readonly match_count: number
}

/** One rule that matched a message. */
export interface MatchHit {
  readonly rule: StringRule
  /** The text that matched: the literal, the regex match, or the whole (trimmed) message for exact and `*`. */
  readonly matched: string
}

/** Default timeout duration when a timeout rule has none. */
export const DEFAULT_TIMEOUT_SECONDS = 600
