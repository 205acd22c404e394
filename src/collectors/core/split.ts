/**
 * Splits chat text to a platform's length limit without breaking a word, a multi-byte character or a
 * grapheme cluster (emoji with modifiers, flags, combining marks). Lengths are UTF-16 code units (JS
 * `string.length`), which is never less than the code points or characters a platform counts, so a part
 * that fits here fits everywhere.
 */

/** Made on first use: building a segmenter loads ICU's break data (≈ 25 ms), which start-up need not wait for. */
let segmenter: Intl.Segmenter | undefined
const graphemes = () => {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })
  return segmenter
}

/** The ellipsis that ends the last part when the text needed more than `maxParts` parts. */
export const ELLIPSIS = '…'

/**
 * Splits `text` into parts of at most `limit` UTF-16 code units. Breaks at whitespace (the whitespace at a
 * break is dropped); a single word longer than `limit` is cut at grapheme boundaries. Text that fits is
 * returned unchanged as one part; empty text gives no parts. When more than `maxParts` parts would be
 * needed, the first `maxParts` are returned and the last one ends with `…` (still within `limit`).
 * @example splitMessage('a b c', 3, 5) // → ['a b', 'c']
 */
export function splitMessage(text: string, limit: number, maxParts = Number.POSITIVE_INFINITY): string[] {
  if (!Number.isInteger(limit) || limit < 2)
    throw new RangeError(`splitMessage: limit must be an integer ≥ 2, got ${limit}`)
  if (!(maxParts >= 1)) throw new RangeError(`splitMessage: maxParts must be ≥ 1, got ${maxParts}`)
  if (text.length <= limit) return text.trim() === '' ? [] : [text]
  const parts = greedy(text, limit, maxParts + 1)
  if (parts.length <= maxParts) return parts
  const kept = parts.slice(0, maxParts)
  const last = kept[maxParts - 1]!
  // The last kept part must leave room for the ellipsis: re-split it one unit shorter, keeping the start.
  const shortened = last.length + ELLIPSIS.length <= limit ? last : (greedy(last, limit - ELLIPSIS.length, 1)[0] ?? '')
  kept[maxParts - 1] = `${shortened.trimEnd()}${ELLIPSIS}`
  return kept
}

/** Greedy word packing; stops once `stopAfter` parts exist (the rest is not needed). */
function greedy(text: string, limit: number, stopAfter: number): string[] {
  const parts: string[] = []
  let current = ''
  /** Whitespace seen since the last word of `current` (kept inside a part, dropped at a break). */
  let gap = ''
  const flush = () => {
    if (current !== '') parts.push(current)
    current = ''
    gap = ''
  }
  for (const token of text.split(/(\s+)/)) {
    if (parts.length >= stopAfter) break
    if (token === '') continue
    if (/^\s+$/.test(token)) {
      if (current !== '') gap = token
      continue
    }
    if (current !== '' && current.length + gap.length + token.length <= limit) {
      current += gap + token
      gap = ''
      continue
    }
    flush()
    if (token.length <= limit) {
      current = token
      continue
    }
    const pieces = hardSplit(token, limit)
    for (const piece of pieces.slice(0, -1)) parts.push(piece)
    current = pieces.at(-1) ?? ''
  }
  flush()
  return parts
}

/** Cuts one long word at grapheme boundaries (a grapheme longer than `limit` alone is cut at code points). */
function hardSplit(word: string, limit: number): string[] {
  const pieces: string[] = []
  let current = ''
  for (const { segment } of graphemes().segment(word)) {
    const units = segment.length <= limit ? [segment] : [...segment]
    for (const unit of units) {
      if (current.length + unit.length > limit) {
        pieces.push(current)
        current = ''
      }
      current += unit
    }
  }
  if (current !== '') pieces.push(current)
  return pieces
}
