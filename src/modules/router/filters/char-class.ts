/**
 * What kind of character a code point is, for the filters' scan: a table filled lazily (the first time a
 * BMP code unit is seen its class is worked out with Unicode property regexes, then it is one array read),
 * and a small map for astral code points (emoji mostly).
 */

export const UPPER = 1
export const LOWER = 2
/** A letter without case (CJK, Arabic…) or a spacing mark. */
export const LETTER = 3
export const DIGIT = 4
export const SPACE = 5
/** A non-spacing or enclosing combining mark (the stuff zalgo text is made of). */
export const MARK = 6
/** Punctuation and symbols. */
export const SYMBOL = 7
/** A pictographic emoji. */
export const EMOJI = 8
/** Zero-width joiner, variation selectors, skin tones, tags: parts of an emoji, counted as nothing. */
export const JOINER = 9
/** A regional indicator (two make a flag). */
export const FLAG = 10
/** Control and format characters: ignored. */
export const OTHER = 11

const bmp = new Uint8Array(0x10000)
const astral = new Map<number, number>()

function classify(cp: number): number {
  const c = String.fromCodePoint(cp)
  if (
    cp === 0x200d ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0x1f3fb && cp <= 0x1f3ff) ||
    (cp >= 0xe0020 && cp <= 0xe007f)
  )
    return JOINER
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return FLAG
  if (/\p{White_Space}/u.test(c)) return SPACE
  if (/\p{Lu}|\p{Lt}/u.test(c)) return UPPER
  if (/\p{Ll}/u.test(c)) return LOWER
  if (/\p{L}|\p{Mc}/u.test(c)) return LETTER
  if (/\p{N}/u.test(c)) return DIGIT
  if (/\p{Mn}|\p{Me}/u.test(c)) return MARK
  // Digits, # and * are Extended_Pictographic-adjacent only as keycaps; © ® ™ are pictographic but read as symbols.
  if (/\p{Extended_Pictographic}/u.test(c) && cp > 0x2122) return EMOJI
  if (/\p{P}|\p{S}/u.test(c)) return SYMBOL
  return OTHER
}

for (let c = 0; c < 128; c++) bmp[c] = classify(c)

/** The class of a code point. */
export function classOf(cp: number): number {
  if (cp < 0x10000) {
    const k = bmp[cp]!
    if (k !== 0) return k
    const computed = classify(cp)
    bmp[cp] = computed
    return computed
  }
  let k = astral.get(cp)
  if (k === undefined) {
    k = classify(cp)
    if (astral.size < 100_000) astral.set(cp, k)
  }
  return k
}

/** Letters, digits and `-`, as found in a domain label (ASCII fast path). */
export function isLabelChar(code: number): boolean {
  if (code < 128)
    return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 45
  const k = classOf(code)
  return k === UPPER || k === LOWER || k === LETTER || k === DIGIT
}

/** Letters and digits (the end of a word). */
export function isWordChar(code: number): boolean {
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57)
  const k = classOf(code)
  return k === UPPER || k === LOWER || k === LETTER || k === DIGIT
}
