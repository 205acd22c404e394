/**
 * One pass over a message's text gathering what every filter needs: length, cased letters, symbols, the
 * longest run of one character, the longest run of combining marks, emotes and emoji, the number of words,
 * and whether a link is possible at all (a `.`, `:` or the word `dot`). Words that are platform emotes (the
 * names Twitch marks in the event, Discord's `<:name:id>`) count as emotes, not as letters or symbols.
 */
import { classOf, DIGIT, EMOJI, FLAG, JOINER, LETTER, LOWER, MARK, SPACE, SYMBOL, UPPER } from './char-class.js'

/** What the scan found; one object is reused for every message. */
export interface MessageStats {
  /** Code points. */
  length: number
  /** Upper- and lower-case letters outside emotes. */
  upper: number
  lower: number
  /** Visible characters outside emotes and emoji, and how many of them are punctuation or symbols. */
  visible: number
  symbols: number
  /** The longest run of one repeated (non-space) character. */
  maxRun: number
  /** The longest run of combining marks. */
  maxMarks: number
  /** Platform emotes plus emoji. */
  emotes: number
  words: number
  /** Occurrences of the most repeated word, by hash (may over-count on a collision: confirm with {@link maxWordRepeats}). */
  wordRepeats: number
  /** A `.`, `:` or `dot` occurs: links have to be looked for. */
  linkish: boolean
}

export const emptyStats = (): MessageStats => ({
  length: 0,
  upper: 0,
  lower: 0,
  visible: 0,
  symbols: 0,
  maxRun: 0,
  maxMarks: 0,
  emotes: 0,
  words: 0,
  wordRepeats: 0,
  linkish: false,
})

/** Discord custom emoji (`<:name:id>`, `<a:name:id>`) in a `<…>` token. */
const DISCORD_EMOJI = /<a?:\w{1,32}:\d{5,25}>/g

/** How many emotes a word is: a Twitch emote name, Discord emoji, or none (-1: an ordinary word). */
function emoteCount(text: string, start: number, end: number, names: ReadonlySet<string> | undefined): number {
  if (text.charCodeAt(start) === 60 && text.charCodeAt(end - 1) === 62) {
    // `<…>`: Discord emoji, or a mention / channel link (`<@123>`, `<#123>`), which is neither letters nor symbols.
    return text.slice(start, end).match(DISCORD_EMOJI)?.length ?? 0
  }
  if (names !== undefined && names.size > 0 && names.has(text.slice(start, end))) return 1
  return -1
}

/**
 * Word hashes of the message being scanned (open addressing; slots are valid when their stamp is the current
 * generation, so nothing is cleared between messages). The scan is synchronous, so one table serves all.
 */
const SLOTS = 256
const slotHash = new Int32Array(SLOTS)
const slotCount = new Uint16Array(SLOTS)
const slotStamp = new Uint32Array(SLOTS)
let generation = 0

/** Counts one more occurrence of the word hashed `h`; returns its count (0 when the table is full). */
function countWord(h: number, used: number): number {
  if (used >= SLOTS / 2) return 0
  let i = h & (SLOTS - 1)
  for (;;) {
    if (slotStamp[i] !== generation) {
      slotStamp[i] = generation
      slotHash[i] = h
      slotCount[i] = 1
      return 1
    }
    if (slotHash[i] === h) return ++slotCount[i]!
    i = (i + 1) & (SLOTS - 1)
  }
}

/** Scans `text` into `out` (reset first). `emoteNames`: words the platform marked as emotes. */
export function scanText(text: string, emoteNames: ReadonlySet<string> | undefined, out: MessageStats): MessageStats {
  let length = 0
  let upper = 0
  let lower = 0
  let visible = 0
  let symbols = 0
  let maxRun = 0
  let maxMarks = 0
  let emotes = 0
  let words = 0
  let linkish = false
  let wordRepeats = 0
  let hash = 0x811c9dc5
  if (++generation >= 0xffffffff) {
    slotStamp.fill(0)
    generation = 1
  }
  let run = 0
  let marks = 0
  let prev = -1
  let prevJoiner = false
  let flags = 0
  // The current word: where it starts and what it holds so far (added to the totals unless it is an emote).
  let wordStart = -1
  let wUpper = 0
  let wLower = 0
  let wVisible = 0
  let wSymbols = 0
  // One step past the end, as if the text ended with a space: the last word is closed in the same place.
  for (let i = 0; i <= text.length; i++) {
    let cp = i < text.length ? text.charCodeAt(i) : 32
    const at = i
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1)
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000
        i++
      }
    }
    const k = classOf(cp)
    if (k === SPACE) {
      if (wordStart >= 0) {
        const e = emoteCount(text, wordStart, at, emoteNames)
        if (e >= 0) emotes += e
        else {
          upper += wUpper
          lower += wLower
          visible += wVisible
          symbols += wSymbols
        }
        const n = countWord(hash, words)
        if (n > wordRepeats) wordRepeats = n
        hash = 0x811c9dc5
        words++
        wordStart = -1
        wUpper = wLower = wVisible = wSymbols = 0
      }
      if (i < text.length) length++
      run = 0
      marks = 0
      prev = -1
      prevJoiner = false
      continue
    }
    length++
    if (wordStart < 0) wordStart = at
    // FNV-1a of the word, case-folded for ASCII (the exact count, if needed, folds everything).
    hash = Math.imul(hash ^ (cp >= 65 && cp <= 90 ? cp | 32 : cp), 0x01000193)
    run = cp === prev ? run + 1 : 1
    if (run > maxRun) maxRun = run
    prev = cp
    if (k === MARK) {
      if (++marks > maxMarks) maxMarks = marks
      continue
    }
    marks = 0
    if (k === EMOJI) {
      if (!prevJoiner) emotes++
    } else if (k === FLAG) {
      if (flags++ % 2 === 0) emotes++
    } else if (k !== JOINER) {
      wVisible++
      if (k === UPPER || k === LOWER) {
        if (k === UPPER) wUpper++
        else wLower++
        // "dot", any case: a written-out link is possible.
        if ((cp | 32) === 100 && (text.charCodeAt(i + 1) | 32) === 111 && (text.charCodeAt(i + 2) | 32) === 116)
          linkish = true
      } else if (k === SYMBOL) {
        wSymbols++
        if (cp === 46 || cp === 58) linkish = true
      } else if (k !== LETTER && k !== DIGIT) wVisible--
    }
    prevJoiner = cp === 0x200d
  }
  out.length = length
  out.upper = upper
  out.lower = lower
  out.visible = visible
  out.symbols = symbols
  out.maxRun = maxRun
  out.maxMarks = maxMarks
  out.emotes = emotes
  out.words = words
  out.wordRepeats = wordRepeats
  out.linkish = linkish
  return out
}

/** How often the most repeated word occurs (case-insensitive). Only called when a message has many words. */
export function maxWordRepeats(text: string): number {
  const counts = new Map<string, number>()
  let best = 0
  for (const w of text.toLowerCase().split(/\s+/)) {
    if (w === '') continue
    const n = (counts.get(w) ?? 0) + 1
    counts.set(w, n)
    if (n > best) best = n
  }
  return best
}
