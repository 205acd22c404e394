/**
 * Dry-run replay of a saved chat log against rules (`waddlebot moderation test`): per-rule hit counts and
 * the number of lines with any hit. Nothing is sent.
 */
import { compileMatcher } from './compile.js'
import type { StringRule } from './types.js'

/** `[12:34:56] ` or `[12:34] ` at the start of a line. */
const TIMESTAMP = /^\[\d{1,2}:\d{2}(?::\d{2})?\]\s*/
/** `user: ` at the start of a line: a platform user name (letters, digits, `_`, `.`, `-`), then `: `. */
const SPEAKER = /^([\p{L}\p{N}_.-]{1,64}):\s/u

/** One chat line: its speaker when the line names one, and the message. */
export interface ChatLine {
  readonly user?: string
  readonly message: string
}

/**
 * Parses a chat log: one message per line; `user: message` and `[hh:mm:ss] user: message` lines are
 * understood (the timestamp and speaker are stripped). Blank lines are skipped.
 */
export function parseChatLog(text: string): ChatLine[] {
  const out: ChatLine[] = []
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(TIMESTAMP, '')
    const speaker = SPEAKER.exec(line)
    if (speaker) line = line.slice(speaker[0].length)
    if (line.trim() === '' && !speaker) continue
    out.push(speaker ? { user: speaker[1], message: line } : { message: line })
  }
  return out
}

/** Hits of one rule over a replay. */
export interface RuleHits {
  readonly id: number
  readonly pattern: string
  readonly match_type: string
  readonly action: string
  readonly entity_id: string | null
  /** Lines this rule matched. */
  readonly hits: number
}

/** The result of {@link replayChatLog}. */
export interface ReplayReport {
  readonly lines: number
  readonly lines_with_hits: number
  /** Every enabled rule in scope, by priority then id, with its hit count (0 included). */
  readonly rules: RuleHits[]
  /** Enabled rules that could not be compiled. */
  readonly skipped: readonly { readonly id: number; readonly reason: string }[]
}

/**
 * Replays `lines` against `rules`. With `entityId`, only global rules and that entity's apply (as in the
 * router); without it every enabled rule is tested whatever its scope.
 */
export function replayChatLog(
  rules: readonly StringRule[],
  lines: readonly ChatLine[],
  entityId?: string,
): ReplayReport {
  const inScope = rules.filter(
    (r) => r.enabled && (entityId === undefined || r.entity_id === null || r.entity_id === entityId),
  )
  const matcher = compileMatcher(entityId === undefined ? inScope.map((r) => ({ ...r, entity_id: null })) : inScope)
  const counts = new Map<number, number>()
  let withHits = 0
  for (const line of lines) {
    const hits = matcher.match(line.message, entityId ?? null)
    if (hits.length > 0) withHits++
    for (const hit of hits) counts.set(hit.rule.id, (counts.get(hit.rule.id) ?? 0) + 1)
  }
  const skippedIds = new Set(matcher.skipped.map((s) => s.id))
  return {
    lines: lines.length,
    lines_with_hits: withHits,
    rules: [...inScope]
      .filter((r) => !skippedIds.has(r.id))
      .sort((a, b) => a.priority - b.priority || a.id - b.id)
      .map((r) => ({
        id: r.id,
        pattern: r.pattern,
        match_type: r.match_type,
        action: r.action,
        entity_id: r.entity_id,
        hits: counts.get(r.id) ?? 0,
      })),
    skipped: matcher.skipped,
  }
}
