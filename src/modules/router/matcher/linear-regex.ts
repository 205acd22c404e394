/**
 * Rule regexes run on RE2JS, a linear-time engine (no backtracking): the time of one regex on one message
 * grows with the message length times the size of the compiled program, never exponentially, whatever the
 * pattern's shape (`\w*\w*\W`, `(a+)+$`, …). The program size is capped, so the per-message cost is bounded
 * (docs/moderation.md#how-fast; bench/regex-adversarial.ts measures it).
 *
 * Patterns are written in JavaScript syntax (they must also compile as `new RegExp(p, 'u')`, which keeps the
 * prefilter's tokenizer exact) and translated to RE2 syntax; what RE2 cannot run (backreferences,
 * lookaheads) is refused. Captureless lookbehinds are supported.
 */
import { RE2JS } from 're2js'

/** Largest compiled program (RE2 instructions) accepted; `\w{0,60}\s{0,60}!` is 243. */
export const MAX_PROGRAM_SIZE = 250
/**
 * Up to this size the matched text is located exactly; RE2JS finds match positions on its slower NFA, so a
 * larger regex reports the text it searched (at most 2,000 characters) as `matched`.
 */
export const EXACT_MATCH_SIZE = 48

/** A compiled rule regex. */
export interface LinearRegex {
  /** The pattern as written (JavaScript syntax). */
  readonly source: string
  /** `i` when case-insensitive, else empty: with `source`, the identity of the regex. */
  readonly flags: string
  /** Instructions of the compiled program. */
  readonly size: number
  /** Whether `text` holds a match (the fast path). */
  test(text: string): boolean
  /** The first match in `text`, or undefined. */
  find(text: string): string | undefined
}

class Re2Regex implements LinearRegex {
  constructor(
    readonly source: string,
    readonly flags: string,
    private readonly re: RE2JS,
    readonly size: number,
  ) {}

  test(text: string): boolean {
    return this.re.test(text)
  }

  find(text: string): string | undefined {
    // test() runs on the lazy DFA; only a hit pays for the match position.
    if (!this.re.test(text)) return undefined
    if (this.size > EXACT_MATCH_SIZE) return text
    const m = this.re.matcher(text)
    return m.find() ? (m.group() ?? '') : undefined
  }
}

/** JavaScript's `\p{Script=Greek}` / `\p{gc=Lu}` spellings are RE2's `\p{Greek}` / `\p{Lu}`. */
const PROPERTY_PREFIX = /\\([pP])\{(?:Script|sc|General_Category|gc)=/g

function compileRe2(source: string, ci: boolean): RE2JS {
  return RE2JS.compile(
    RE2JS.translateRegExp(source.replace(PROPERTY_PREFIX, '\\$1{')),
    (ci ? RE2JS.CASE_INSENSITIVE : 0) | RE2JS.LOOKBEHINDS,
  )
}

/** Why RE2 refuses `pattern`, in words a rule author can act on. */
function explain(message: string): string {
  if (/`\(\?[=!]/.test(message)) return 'lookaheads ((?=…), (?!…)) are not supported by the linear-time regex engine'
  if (/escape sequence: `\\[1-9k]/.test(message)) return 'backreferences are not allowed'
  return `not supported by the linear-time regex engine (${message.replace(/^error parsing regexp: /, '')})`
}

/**
 * Compiles `pattern` (JavaScript syntax) for the linear-time engine, or returns why it cannot be used:
 * invalid JavaScript, RE2-unsupported syntax, or a program over {@link MAX_PROGRAM_SIZE}.
 */
export function compileLinear(pattern: string, caseInsensitive: boolean): LinearRegex | string {
  try {
    new RegExp(pattern, caseInsensitive ? 'iu' : 'u')
  } catch (error) {
    return `not a valid regular expression (${(error as Error).message})`
  }
  if (/\\k<|\\[1-9]/.test(pattern.replace(/\\\\/g, ''))) return 'backreferences are not allowed'
  let re: RE2JS
  try {
    re = compileRe2(pattern, caseInsensitive)
  } catch (error) {
    return explain((error as Error).message)
  }
  const size = re.re2().prog.numInst() as number
  if (size > MAX_PROGRAM_SIZE) {
    return `too large for the regex engine (${size} steps, at most ${MAX_PROGRAM_SIZE}); use + or smaller counted repeats such as {1,20} instead of {1,1000}`
  }
  return new Re2Regex(pattern, caseInsensitive ? 'i' : '', re, size)
}

/**
 * Several rule regexes as one alternation (tested once before its members); undefined when RE2 cannot
 * combine them or the combined program would exceed `maxSize`.
 */
export function combineLinear(members: readonly LinearRegex[], maxSize: number): LinearRegex | undefined {
  if (members.length < 2) return undefined
  const flags = members[0].flags
  const source = members.map((m) => `(?:${m.source})`).join('|')
  try {
    const re = compileRe2(source, flags === 'i')
    const size = re.re2().prog.numInst() as number
    return size > maxSize ? undefined : new Re2Regex(source, flags, re, size)
  } catch {
    return undefined
  }
}
