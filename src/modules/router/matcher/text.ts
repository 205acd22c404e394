/** Text helpers shared by the compiler and the matcher: normalisation, case folding and word boundaries. */

/** The highest UTF-16 code unit of `text` (0 for the empty string). */
export function highestCodeUnit(text: string): number {
  let high = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c > high) high = c
  }
  return high
}

/**
 * NFC form of `text`. Text below U+0300 (Latin-1 and Latin Extended) is always NFC and is returned as is;
 * pass `high` (from {@link highestCodeUnit}) when already known. Never throws.
 */
export function normalizeText(text: string, high = highestCodeUnit(text)): string {
  return high >= 0x300 ? text.normalize('NFC') : text
}

const FOLD_EXTRA = /[ſς]/g

/**
 * Case folding for case-insensitive comparison: `toLowerCase`, plus long s (ſ) to s and final sigma (ς) to
 * σ, as Unicode simple case folding (and the regex engine's `iu` mode) does. Applied identically to
 * patterns and messages. `high` (from {@link highestCodeUnit}) lets ASCII-ish text skip the extra pass.
 */
export function fold(text: string, high = highestCodeUnit(text)): string {
  const lower = text.toLowerCase()
  return high >= 0x17f ? lower.replace(FOLD_EXTRA, (c) => (c === 'ſ' ? 's' : 'σ')) : lower
}

const WORD_CHAR = /^[\p{L}\p{N}\p{M}_]$/u
/** ASCII code units that are word characters. */
const ASCII_WORD = new Uint8Array(128)
for (let c = 0; c < 128; c++) ASCII_WORD[c] = /[A-Za-z0-9_]/.test(String.fromCharCode(c)) ? 1 : 0

/** True when the code point is a letter, number, combining mark or underscore. */
export function isWordCodePoint(cp: number): boolean {
  if (cp < 128) return ASCII_WORD[cp] === 1
  return WORD_CHAR.test(String.fromCodePoint(cp))
}

/** The code point that ends just before `index` (surrogate-pair aware), or -1 at the start. */
export function codePointBefore(text: string, index: number): number {
  if (index <= 0) return -1
  const low = text.charCodeAt(index - 1)
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2)
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000
  }
  return low
}

/** The code point starting at `index`, or -1 at the end. */
export function codePointAtIndex(text: string, index: number): number {
  return index >= text.length ? -1 : (text.codePointAt(index) ?? -1)
}

/** Whether the first and the last code point of `pattern` are word characters. */
export function edgeWordness(pattern: string): { left: boolean; right: boolean } {
  return {
    left: isWordCodePoint(codePointAtIndex(pattern, 0)),
    right: isWordCodePoint(codePointBefore(pattern, pattern.length)),
  }
}

/**
 * True when `text[start, end)` stands as a whole word: on each side where the pattern's edge is a word
 * character, the neighbouring code point is not one (or is the start/end of the text).
 */
export function atWordBoundaries(
  text: string,
  start: number,
  end: number,
  edges: { left: boolean; right: boolean },
): boolean {
  if (edges.left && isWordCodePoint(codePointBefore(text, start))) return false
  if (edges.right && isWordCodePoint(codePointAtIndex(text, end))) return false
  return true
}

/** True when `text` holds a lone surrogate (not well-formed UTF-16). */
export function hasLoneSurrogate(text: string): boolean {
  return /\p{Cs}/u.test(text)
}
