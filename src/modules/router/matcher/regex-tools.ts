/**
 * Static analysis of rule regexes (JavaScript syntax, compiled with the `u` flag): a save-time safety check
 * (refuses backreferences, nested or overlapping repetition, huge counted repeats) and the extraction of
 * literals that every match must contain, used to prefilter regex rules with the Aho-Corasick automaton.
 */
import { MAX_PATTERN_LENGTH } from './types.js'

type Token =
  | { readonly kind: 'char'; readonly ch: string }
  | { readonly kind: 'other' | 'open' | 'close' | 'alt' | 'backref' }
  | { readonly kind: 'quant'; readonly min: number; readonly max: number }

/** Largest `{n,m}` bound accepted. */
const MAX_REPEAT = 1000
const ESCAPE_CLASSES = new Set('dDwWsSbBtnrfv0'.split(''))
/** Literal chars usable in the prefilter: ASCII (their case folding under `iu` is plain lower-casing + ſ/K). */
const PREFILTER_CHAR = /^[\x20-\x7e]$/

/** Splits a (syntactically valid, `u`-mode) regex source into tokens. */
function tokenize(src: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]
    if (c === '\\') {
      const e = src[i + 1] ?? ''
      i += 2
      if (/[1-9]/.test(e) || (e === 'k' && src[i] === '<')) out.push({ kind: 'backref' })
      else if (e === 'p' || e === 'P') {
        if (src[i] === '{') i = src.indexOf('}', i) + 1 || src.length
        out.push({ kind: 'other' })
      } else if (e === 'u' || e === 'x' || e === 'c' || ESCAPE_CLASSES.has(e)) out.push({ kind: 'other' })
      else out.push({ kind: 'char', ch: e })
    } else if (c === '[') {
      i++
      while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1
      i++
      out.push({ kind: 'other' })
    } else if (c === '(') {
      i++
      if (src[i] === '?') {
        const lookbehind = src[i + 1] === '<' && (src[i + 2] === '=' || src[i + 2] === '!')
        i = lookbehind ? i + 3 : src[i + 1] === '<' ? src.indexOf('>', i) + 1 || src.length : i + 2
      }
      out.push({ kind: 'open' })
    } else if (c === ')' || c === '|') {
      i++
      out.push({ kind: c === ')' ? 'close' : 'alt' })
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      let min = c === '+' ? 1 : 0
      let max = c === '?' ? 1 : Number.POSITIVE_INFINITY
      i++
      if (c === '{') {
        const m = /^(\d+)(,(\d*))?\}/.exec(src.slice(i))
        if (m === null) {
          out.push({ kind: 'char', ch: c })
          continue
        }
        min = Number(m[1])
        max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Number.POSITIVE_INFINITY
        i += m[0].length
      }
      if (src[i] === '?') i++
      out.push({ kind: 'quant', min, max })
    } else {
      i++
      out.push(c === '.' || c === '^' || c === '$' ? { kind: 'other' } : { kind: 'char', ch: c })
    }
  }
  return out
}

interface Frame {
  quantified: boolean
  /** The first token of each alternative: a char, or null for anything else (or an empty alternative). */
  firsts: (string | null)[]
  atStart: boolean
}

/**
 * Why `pattern` may not be saved as a regex rule, or undefined when it is acceptable: it must compile
 * with the `u` flag, be at most {@link MAX_PATTERN_LENGTH} long, and avoid the shapes that backtrack
 * catastrophically: backreferences, a repeated group holding a quantifier (`(a+)+`), a repeated group
 * whose alternatives may start alike (`(a|ab)*`), and counted repeats above 1000.
 */
export function regexProblem(pattern: string, caseSensitive: boolean): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`
  try {
    new RegExp(pattern, caseSensitive ? 'u' : 'iu')
  } catch (error) {
    return `not a valid regular expression (${(error as Error).message})`
  }
  const fold = (ch: string): string => (caseSensitive ? ch : ch.toLowerCase())
  const stack: Frame[] = [{ quantified: false, firsts: [], atStart: true }]
  let last: Token | Frame | undefined
  for (const token of tokenize(pattern)) {
    const top = stack[stack.length - 1]
    if (token.kind === 'backref') return 'backreferences are not allowed'
    if (token.kind === 'quant') {
      if (token.min > MAX_REPEAT || (token.max !== Number.POSITIVE_INFINITY && token.max > MAX_REPEAT)) {
        return `counted repetition above ${MAX_REPEAT}`
      }
      if (last !== undefined && 'firsts' in last && token.max > 1) {
        if (last.quantified) return 'nested quantifiers (like (a+)+) are not allowed'
        const firsts = last.firsts
        if (firsts.length > 1 && (firsts.includes(null) || new Set(firsts.map((f) => fold(f ?? ''))).size < firsts.length)) {
          return 'a repeated group whose alternatives can start with the same character (like (a|ab)*) is not allowed'
        }
      }
      top.quantified = true
      last = token
      continue
    }
    if (top.atStart) {
      if (token.kind === 'alt' || token.kind === 'close') top.firsts.push(null)
      else top.firsts.push(token.kind === 'char' ? token.ch : null)
      top.atStart = false
    }
    if (token.kind === 'open') {
      const frame: Frame = { quantified: false, firsts: [], atStart: true }
      stack.push(frame)
      last = undefined
    } else if (token.kind === 'close') {
      const done = stack.pop()!
      const parent = stack[stack.length - 1]
      parent.quantified ||= done.quantified
      last = done
    } else if (token.kind === 'alt') {
      top.atStart = true
      last = undefined
    } else last = token
  }
  return undefined
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
  const endBranch = (): boolean => {
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
      if (lastWasChar && token.min === 0) run = run.slice(0, -1)
      endRun()
    } else if (token.kind === 'alt') {
      if (!endBranch()) return undefined
    } else {
      endRun()
      if (token.kind === 'open') depth++
    }
    lastWasChar = false
  }
  return endBranch() ? literals : undefined
}
