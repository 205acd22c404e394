/**
 * Regex rules that have no prefilter literal: deduplicated by source and flags (the same rule in fifty
 * channels is one regex), then tested as one alternation per chunk; only the members of a matching chunk
 * are tested one by one. A chunk whose rules all belong to other entities is skipped. Chunks are also
 * bounded by the size of their combined program ({@link CHUNK_PROGRAM_SIZE}), which bounds their cost.
 */
import { combineLinear, type LinearRegex } from './linear-regex.js'

/** One distinct regex and the rules that use it. */
export interface RegexGroup {
  readonly re: LinearRegex
  readonly rules: number[]
  global: boolean
  readonly entities: Set<string>
}

/** Up to {@link CHUNK_SIZE} groups with the same flags. */
export interface RegexChunk {
  /** All members as one alternation; undefined when they cannot be combined (each is then tested). */
  readonly combined: LinearRegex | undefined
  readonly groups: readonly RegexGroup[]
  readonly global: boolean
  readonly entities: ReadonlySet<string>
}

/** Distinct regexes tested together before any of them is tested alone. */
export const CHUNK_SIZE = 32
/** Largest combined program of a chunk (RE2 instructions). */
export const CHUNK_PROGRAM_SIZE = 1000

/** True when the group or chunk holds a rule that applies to `entity`. */
export function concerns(
  scope: { readonly global: boolean; readonly entities: ReadonlySet<string> },
  entity: string | null,
): boolean {
  return scope.global || (entity !== null && scope.entities.has(entity))
}

/** Collects regexes without a prefilter literal and chunks them. */
export class RegexSetBuilder {
  private readonly groups = new Map<string, RegexGroup>()

  add(re: LinearRegex, rule: number, entityId: string | null): void {
    const key = `${re.flags}/${re.source}`
    let group = this.groups.get(key)
    if (group === undefined) {
      group = { re, rules: [], global: false, entities: new Set() }
      this.groups.set(key, group)
    }
    group.rules.push(rule)
    if (entityId === null) group.global = true
    else group.entities.add(entityId)
  }

  build(): RegexChunk[] {
    const chunks: RegexChunk[] = []
    // Global groups first, then by entity, so that chunks are mostly of one scope and skippable.
    const ordered = [...this.groups.values()].sort(
      (a, b) => Number(b.global) - Number(a.global) || firstOf(a).localeCompare(firstOf(b)),
    )
    for (const flags of new Set(ordered.map((g) => g.re.flags))) {
      const same = ordered.filter((g) => g.re.flags === flags)
      for (let at = 0; at < same.length; ) {
        let end = at + 1
        let size = same[at].re.size
        while (end < same.length && end - at < CHUNK_SIZE && size + same[end].re.size <= CHUNK_PROGRAM_SIZE)
          size += same[end++].re.size
        const groups = same.slice(at, end)
        at = end
        chunks.push({
          combined: combineLinear(
            groups.map((g) => g.re),
            CHUNK_PROGRAM_SIZE + groups.length * 2,
          ),
          groups,
          global: groups.some((g) => g.global),
          entities: new Set(groups.flatMap((g) => [...g.entities])),
        })
      }
    }
    return chunks
  }
}

function firstOf(group: RegexGroup): string {
  let first = ''
  for (const e of group.entities) if (first === '' || e < first) first = e
  return first
}
