/**
 * Rule regexes (JavaScript syntax, run on the linear-time engine of linear-regex.ts): the save-time check
 * and the extraction of literals that every match must contain, used to prefilter regex rules with the
 * Aho-Corasick automaton.
 */
import { compileLinear } from './linear-regex.js'
import { tokenize } from './regex-tokens.js'
import { MAX_PATTERN_LENGTH, type REGEX_INPUT_LIMIT } from './types.js'

/** Literal chars usable in the prefilter: ASCII (their case folding under `iu` is plain lower-casing + ſ/K). */
const PREFILTER_CHAR = /^[\x20-\x7e]$/

/**
 * Why `pattern` may not be saved as a regex rule, or undefined when it is acceptable: it must be at most
 * {@link MAX_PATTERN_LENGTH} long, compile as JavaScript (`u` flag) and run on the linear-time engine
 * (linear-regex.ts: no backreferences or lookaheads, a bounded program). No shape is refused for being slow:
 * on that engine none is, and {@link REGEX_INPUT_LIMIT} bounds the input.
 */
export function regexProblem(pattern: string, caseSensitive: boolean): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`
  const compiled = compileLinear(pattern, !caseSensitive)
  return typeof compiled === 'string' ? compiled : undefined
}

/**
 * Whether the `i` flag can change what `pattern` matches: false when, once `\d \D \s \S` escapes are
 * removed, the source holds no letter at all (so no literal, class, `\w`, `\b`, `\p{…}` or `\u` escape
 * that case folding could widen). Such regexes are compiled without `i`, which is much faster.
 */
export function caseMatters(pattern: string): boolean {
  return /\p{L}/u.test(pattern.replace(/\\./gsu, (pair) => ('dDsS'.includes(pair[1]) ? '' : pair)))
}

/**
 * The literals a match of `pattern` must contain: one per top-level alternative (a match contains at
 * least one of them), lower-cased ASCII, each at least `minLength` long. Undefined when some alternative
 * has no such literal, i.e. the regex cannot be prefiltered.
 */
export function requiredLiterals(pattern: string, minLength = 2): string[] | undefined {
  const literals: string[] = []
  let best = ''
  let run = ''
  let depth = 0
  let lastWasChar = false
  const endRun = (): void => {
    if (run.length > best.length) best = run
    run = ''
  }
  const closeBranch = (): boolean => {
    endRun()
    if (best.length < minLength) return false
    literals.push(best.toLowerCase())
    best = ''
    return true
  }
  for (const token of tokenize(pattern)) {
    if (depth > 0) {
      if (token.kind === 'open') depth++
      else if (token.kind === 'close') depth--
      lastWasChar = false
      continue
    }
    if (token.kind === 'char' && PREFILTER_CHAR.test(token.ch)) {
      run += token.ch
      lastWasChar = true
      continue
    }
    if (token.kind === 'quant') {
      // `x?`/`x*` may vanish: drop x. `x+`/`x{2,}`: the first copy ends this run, the last copy starts the next.
      const repeated = lastWasChar ? run.slice(-1) : ''
      if (repeated !== '' && token.min === 0) run = run.slice(0, -1)
      endRun()
      if (token.min > 0) run = repeated
    } else if (token.kind === 'alt') {
      if (!closeBranch()) return undefined
    } else {
      endRun()
      if (token.kind === 'open') depth++
    }
    lastWasChar = false
  }
  return closeBranch() ? literals : undefined
}
