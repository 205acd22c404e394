/** Helpers shared by the matcher's tests (not used at run time). */
import type { StringRule } from './types.js'

let nextId = 1

/** A rule with defaults (contains, case-insensitive, priority 100, global, warn, enabled); ids count up. */
export function rule(pattern: string, extra: Partial<StringRule> = {}): StringRule {
  return {
    id: nextId++,
    pattern,
    match_type: 'contains',
    case_sensitive: false,
    priority: 100,
    entity_id: null,
    action: 'warn',
    action_value: null,
    timeout_seconds: null,
    enabled: true,
    created_by: null,
    created_at: 0,
    updated_at: 0,
    match_count: 0,
    ...extra,
  }
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
