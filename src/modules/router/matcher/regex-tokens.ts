/**
 * A tokenizer for rule regexes (JavaScript syntax, `u` mode, already known to compile). Each atom carries
 * the set of characters it can match (exact for ASCII, by category beyond), enough to tell whether two
 * repeats can eat the same characters (regex-tools.ts uses it to refuse patterns that backtrack
 * polynomially).
 */

/** What an atom can match: an exact set of ASCII characters plus coarse non-ASCII categories. */
export interface CharSet {
  /** Bit n set: ASCII code n. */
  readonly ascii: bigint
  /** Non-ASCII categories: {@link NON_ASCII}. */
  readonly other: number
}

/** Non-ASCII categories: letters/marks/digits, spaces, anything else. */
export const NON_ASCII = { word: 1, space: 2, other: 4 } as const
const ASCII_ALL = (1n << 128n) - 1n
/** Every character. */
export const ANY: CharSet = { ascii: ASCII_ALL, other: 7 }

function range(lo: number, hi: number): bigint {
  return ((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo)
}
const DIGITS = range(48, 57)
const LETTERS = range(65, 90) | range(97, 122)
const WORD = LETTERS | DIGITS | (1n << 95n)
const SPACES = range(9, 13) | (1n << 32n)

/** Whether two sets share a character (or a non-ASCII category). */
export function intersects(a: CharSet, b: CharSet): boolean {
  return (a.ascii & b.ascii) !== 0n || (a.other & b.other) !== 0
}

/** Union of two sets. */
export function union(a: CharSet, b: CharSet): CharSet {
  return { ascii: a.ascii | b.ascii, other: a.other | b.other }
}

/** The set one character matches; with `ci`, its other case too (and K/ſ for k/s, as `iu` does). */
export function charSet(ch: string, ci: boolean): CharSet {
  const c = ch.codePointAt(0) ?? 0
  if (c < 128) {
    let ascii = 1n << BigInt(c)
    const letter = (LETTERS >> BigInt(c)) & 1n
    if (ci && letter) ascii |= 1n << BigInt(c ^ 32)
    return { ascii, other: ci && letter && /[ks]/i.test(ch) ? NON_ASCII.word : 0 }
  }
  const kind = /[\p{L}\p{M}\p{N}]/u.test(ch) ? NON_ASCII.word : /\s/u.test(ch) ? NON_ASCII.space : NON_ASCII.other
  const ascii = ci && (ch === '\u212a' || ch === '\u017f') ? charSet(ch === '\u212a' ? 'k' : 's', true).ascii : 0n
  return { ascii, other: kind }
}

/** The set of an escape class letter (`d`, `W`, …), or undefined when `e` is not one. */
function escapeSet(e: string, ci: boolean): CharSet | undefined {
  const word: CharSet = { ascii: WORD, other: ci ? NON_ASCII.word : 0 }
  switch (e) {
    case 'd':
      return { ascii: DIGITS, other: 0 }
    case 'D':
      return { ascii: ASCII_ALL & ~DIGITS, other: 7 }
    case 'w':
      return word
    case 'W':
      return { ascii: ASCII_ALL & ~WORD, other: 7 }
    case 's':
      return { ascii: SPACES, other: NON_ASCII.space }
    case 'S':
      return { ascii: ASCII_ALL & ~SPACES, other: NON_ASCII.word | NON_ASCII.other }
    case 't':
    case 'n':
    case 'r':
    case 'f':
    case 'v':
      return { ascii: SPACES, other: 0 }
    case '0':
      return { ascii: 1n, other: 0 }
    default:
      return undefined
  }
}

/** The set of a class body (between `[` and `]`); negated classes and code-point escapes count as any. */
function classSet(body: string, ci: boolean): CharSet {
  if (body.startsWith('^')) return ANY
  let set: CharSet = { ascii: 0n, other: 0 }
  let i = 0
  while (i < body.length) {
    let lo: number
    if (body[i] === '\\') {
      const e = body[i + 1] ?? ''
      const known = escapeSet(e, ci)
      if ('pPuxc'.includes(e)) return ANY
      i += 2
      if (known !== undefined) {
        set = union(set, known)
        continue
      }
      lo = e === 'b' ? 8 : (e.codePointAt(0) ?? 0)
    } else {
      lo = body.codePointAt(i) ?? 0
      i += lo > 0xffff ? 2 : 1
    }
    let hi = lo
    if (body[i] === '-' && i + 1 < body.length) {
      const escaped = body[i + 1] === '\\'
      hi = Math.max(lo, body.codePointAt(i + (escaped ? 2 : 1)) ?? 0)
      i += (escaped ? 3 : 2) + (hi > 0xffff ? 1 : 0)
    }
    if (hi >= 128) set = union(set, { ascii: 0n, other: 7 })
    for (let c = lo; c <= Math.min(hi, 127); c++) set = union(set, charSet(String.fromCharCode(c), ci))
    if (lo >= 128 && hi === lo) set = union(set, charSet(String.fromCodePoint(lo), ci))
  }
  return set
}

/** One token of a regex source; `char` and `set` are the consuming atoms. */
export type Token =
  | { readonly kind: 'char'; readonly ch: string; readonly set: CharSet }
  | { readonly kind: 'set'; readonly set: CharSet }
  | { readonly kind: 'assert' | 'close' | 'alt' | 'backref' }
  | { readonly kind: 'open'; readonly lookaround: boolean }
  | { readonly kind: 'quant'; readonly min: number; readonly max: number }

/** Splits a regex source into tokens; `ci` widens letter sets as case-insensitive matching does. */
export function tokenize(src: string, ci = true): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]
    if (c === '\\') {
      const e = src[i + 1] ?? ''
      i += 2
      const known = escapeSet(e, ci)
      if (/[1-9]/.test(e) || (e === 'k' && src[i] === '<')) out.push({ kind: 'backref' })
      else if (e === 'b' || e === 'B') out.push({ kind: 'assert' })
      else if (known !== undefined) out.push({ kind: 'set', set: known })
      else if (e === 'p' || e === 'P' || e === 'u' || e === 'x' || e === 'c') {
        if ((e === 'p' || e === 'P' || e === 'u') && src[i] === '{') i = src.indexOf('}', i) + 1 || src.length
        out.push({ kind: 'set', set: ANY })
      } else out.push({ kind: 'char', ch: e, set: charSet(e, ci) })
    } else if (c === '[') {
      let j = i + 1
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1
      out.push({ kind: 'set', set: classSet(src.slice(i + 1, j), ci) })
      i = j + 1
    } else if (c === '(') {
      i++
      let lookaround = false
      if (src[i] === '?') {
        const behind = src[i + 1] === '<' && (src[i + 2] === '=' || src[i + 2] === '!')
        lookaround = behind || src[i + 1] === '=' || src[i + 1] === '!'
        i = behind ? i + 3 : src[i + 1] === '<' ? src.indexOf('>', i) + 1 || src.length : i + 2
      }
      out.push({ kind: 'open', lookaround })
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
          out.push({ kind: 'char', ch: c, set: charSet(c, ci) })
          continue
        }
        min = Number(m[1])
        max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Number.POSITIVE_INFINITY
        i += m[0].length
      }
      if (src[i] === '?') i++
      out.push({ kind: 'quant', min, max })
    } else if (c === '^' || c === '$') {
      i++
      out.push({ kind: 'assert' })
    } else if (c === '.') {
      i++
      out.push({ kind: 'set', set: ANY })
    } else {
      const ch = String.fromCodePoint(src.codePointAt(i) ?? 0)
      i += ch.length
      out.push({ kind: 'char', ch, set: charSet(ch, ci) })
    }
  }
  return out
}
