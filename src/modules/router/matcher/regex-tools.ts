/**
 * Static analysis of rule regexes (JavaScript syntax, compiled with the `u` flag): a save-time safety check
 * (refuses backreferences, nested or overlapping repetition, huge counted repeats) and the extraction of
 * literals that every match must contain, used to prefilter regex rules with the Aho-Corasick automaton.
 */
import { type CharSet, intersects, tokenize, union } from './regex-tokens.js'
import { MAX_PATTERN_LENGTH, type REGEX_INPUT_LIMIT } from './types.js'

/** Largest `{n,m}` bound accepted. */
const MAX_REPEAT = 1000
/** A repeat whose upper bound exceeds this counts as open-ended for the overlap check. */
const OPEN_ENDED = 50
/** Literal chars usable in the prefilter: ASCII (their case folding under `iu` is plain lower-casing + ſ/K). */
const PREFILTER_CHAR = /^[\x20-\x7e]$/

/** What a consuming atom (a char, a class, a group) can match. */
type Atom = CharSet

const NOTHING: Atom = { ascii: 0n, other: 0 }

/** Per group (and the top level): what the safety check tracks. */
interface Frame {
  readonly lookaround: boolean
  /** Some quantifier occurs inside. */
  quantified: boolean
  /** The first atom of each alternative: a char, or null for anything else (or an empty alternative). */
  readonly firsts: (string | null)[]
  atStart: boolean
  /** What any atom inside can match. */
  set: Atom
  /** Open-ended repeats in a row that can eat the same characters, and the last of them. */
  chain: number
  prev: Atom
  readonly startChain: number
  readonly startPrev: Atom
  /** The longest chain at the end of any alternative, and the union of their last repeats. */
  endChain: number
  endSet: Atom
}

function frame(parent: Frame | undefined, lookaround: boolean): Frame {
  const chain = parent && !lookaround ? parent.chain : 0
  const prev = parent && !lookaround ? parent.prev : NOTHING
  return { lookaround, quantified: false, firsts: [], atStart: true, set: NOTHING, chain, prev, startChain: chain, startPrev: prev, endChain: 0, endSet: NOTHING }
}

function endBranch(f: Frame): void {
  f.endChain = Math.max(f.endChain, f.chain)
  if (f.chain > 0) f.endSet = union(f.endSet, f.prev)
  f.chain = f.startChain
  f.prev = f.startPrev
}

/**
 * Why `pattern` may not be saved as a regex rule, or undefined when it is acceptable: it must compile
 * with the `u` flag, be at most {@link MAX_PATTERN_LENGTH} long, and avoid the shapes that backtrack
 * catastrophically or polynomially: backreferences, a repeated group holding a quantifier (`(a+)+`), a
 * repeated group whose alternatives may start alike (`(a|ab)*`), three or more open-ended repeats in a row
 * that can eat the same characters (`.*a.*b.*c`, `a*a*a*b`; a separator neither side can match breaks the
 * row, so `\w+\s+\w+\s+\w+` is fine), and counted repeats above 1000. Together with the input cap
 * ({@link REGEX_INPUT_LIMIT}) this bounds the work of one regex on one message.
 */
export function regexProblem(pattern: string, caseSensitive: boolean): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`
  try {
    new RegExp(pattern, caseSensitive ? 'u' : 'iu')
  } catch (error) {
    return `not a valid regular expression (${(error as Error).message})`
  }
  const ci = !caseSensitive
  const stack: Frame[] = [frame(undefined, false)]
  /** The atom waiting to learn whether a quantifier follows it (a closed group carries its frame). */
  let pending: { atom: Atom; group?: Frame } | undefined
  let problem: string | undefined
  const commit = (min: number, max: number): void => {
    if (pending === undefined) return
    const top = stack[stack.length - 1]
    const { atom, group } = pending
    pending = undefined
    top.set = union(top.set, atom)
    if (group?.lookaround) return
    if (max > OPEN_ENDED) {
      top.chain = top.chain > 0 && intersects(top.prev, atom) ? top.chain + 1 : 1
      top.prev = atom
      if (top.chain >= 3) problem ??= 'three or more open-ended repeats that can match the same characters (like .*a.*b.*) backtrack too much; bound them (e.g. {1,50}) or separate them'
    } else if (group !== undefined) {
      // An unrepeated group: its chain continues in the parent (conservatively, the longest alternative's).
      if (group.endChain > 0) {
        top.chain = Math.max(top.chain, group.endChain)
        top.prev = union(top.prev, group.endSet)
      }
    } else if (min >= 1 && top.chain > 0 && !intersects(top.prev, atom)) top.chain = 0
  }
  for (const token of tokenize(pattern, ci)) {
    const top = stack[stack.length - 1]
    if (token.kind === 'backref') return 'backreferences are not allowed'
    if (token.kind === 'quant') {
      if (token.min > MAX_REPEAT || (token.max !== Number.POSITIVE_INFINITY && token.max > MAX_REPEAT)) {
        return `counted repetition above ${MAX_REPEAT}`
      }
      const group = pending?.group
      if (group !== undefined && token.max > 1) {
        if (group.quantified) return 'nested quantifiers (like (a+)+) are not allowed'
        const firsts = group.firsts
        const fold = (f: string | null): string => (f === null ? '' : ci ? f.toLowerCase() : f)
        if (firsts.length > 1 && (firsts.includes(null) || new Set(firsts.map(fold)).size < firsts.length)) {
          return 'a repeated group whose alternatives can start with the same character (like (a|ab)*) is not allowed'
        }
      }
      top.quantified = true
      commit(token.min, token.max)
      continue
    }
    commit(1, 1)
    if (top.atStart && token.kind !== 'assert') {
      top.firsts.push(token.kind === 'char' ? token.ch : null)
      top.atStart = false
    }
    if (token.kind === 'open') stack.push(frame(top, token.lookaround))
    else if (token.kind === 'close') {
      const done = stack.pop()!
      endBranch(done)
      const parent = stack[stack.length - 1]
      parent.quantified ||= done.quantified
      pending = { atom: done.set, group: done }
    } else if (token.kind === 'alt') {
      endBranch(top)
      top.atStart = true
    } else if (token.kind === 'char' || token.kind === 'set') {
      pending = { atom: token.set }
    }
  }
  commit(1, 1)
  return problem
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
