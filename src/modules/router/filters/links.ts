/**
 * Link detection. Only the places where a link can be are looked at: every `.`, `://`, bracketed dot
 * (`(dot)`, `[.]`…) and the word `dot`; around each, a domain label must stand before and a known top-level
 * domain after. Written-out evasions (`example . com`, `example dot com`, `example(dot)com`) are links too.
 *
 * Top-level domains that are also everyday words (`be`, `me`, `to`, `so`…) count only when a path follows
 * (`youtu.be/x`), so `ok.so` is chat; evasions only count with the common spam TLDs.
 */
import { isLabelChar, isWordChar } from './char-class.js'

/** TLDs that make `label.tld` a link. */
const TLDS = new Set(
  (
    'com net org io gg tv xyz ru ly info biz link live shop site online club top click stream store app dev co uk de fr nl eu ' +
    'ws cc pw su cn tk ml ga cf gq ua pl es jp kr br au ca ch se no fi dk cz at ro hu gr pt ie nz za mx ar cl vn id ' +
    'one pro lol fun win bet cash money gift vip icu cyou rest buzz space website tech news email today world life ' +
    'codes host press social chat games tokyo ninja rocks'
  ).split(' '),
)
/** TLDs that read as words: a link only with a path (`youtu.be/abc`). */
const WORDY_TLDS = new Set('be me to so it is at us in my do am an as go hi la ai sh md py im ms'.split(' '))
/** TLDs that count in a written-out evasion (`example dot com`). */
const EVASION_TLDS = new Set(
  'com net org io gg tv xyz ru ly info biz link live shop site online club top click store app co'.split(' '),
)
/** Words that are not a domain label in front of a written-out dot (`the dot com era`). */
const STOP_LABELS = new Set(
  'the a an and or of to in on at is it this that dot my your his her our their its'.split(' '),
)

/** `.`, `://`, a bracketed dot or dot-word, or the word `dot` between spaces. */
const CANDIDATE = /\.|:\/\/|[([{]\s*(?:\.|dot)\s*[)\]}]|\sdot\s/gi

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0x3000

/** Reads the letters of a TLD at `from`: its end index, or -1 when no TLD-shaped word starts there. */
function tldEnd(text: string, from: number): number {
  let end = from
  while (end < text.length && end - from <= 24) {
    const c = text.charCodeAt(end)
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) end++
    else break
  }
  if (end - from < 2) return -1
  // The TLD must end the word: `example.community` is not `.com`.
  if (end < text.length && isWordChar(text.charCodeAt(end))) return -1
  return end
}

/** The first index after `from` that is not a space. */
function skipSpaces(text: string, from: number): number {
  let i = from
  while (i < text.length && isSpace(text.charCodeAt(i))) i++
  return i
}

/** Start of the domain (labels and dots) ending just before `end`. */
function hostStart(text: string, end: number): number {
  let i = end
  while (
    i > 0 &&
    (isLabelChar(text.charCodeAt(i - 1)) ||
      (text.charCodeAt(i - 1) === 46 && i - 1 > 0 && isLabelChar(text.charCodeAt(i - 2))))
  )
    i--
  return i
}

/** End of the domain starting at `start`. */
function hostEnd(text: string, start: number): number {
  let i = start
  while (
    i < text.length &&
    (isLabelChar(text.charCodeAt(i)) ||
      (text.charCodeAt(i) === 46 && i + 1 < text.length && isLabelChar(text.charCodeAt(i + 1))))
  )
    i++
  return i
}

/**
 * Pushes the host of every link in `text` onto `hosts` (lower-case; `example.com` for a written-out
 * `example dot com`). Returns how many were found.
 */
export function findLinks(text: string, hosts: string[]): number {
  const before = hosts.length
  CANDIDATE.lastIndex = 0
  for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
    const at = m.index
    const sep = m[0]
    if (sep === '://') {
      const end = hostEnd(text, at + 3)
      if (end > at + 3 && at > 0 && isWordChar(text.charCodeAt(at - 1))) {
        hosts.push(text.slice(at + 3, end).toLowerCase())
        CANDIDATE.lastIndex = end
      }
      continue
    }
    const plain = sep === '.'
    // The label before: directly before a plain dot, or after spaces (`example .com`, `example dot com`).
    let labelEnd = at
    while (labelEnd > 0 && isSpace(text.charCodeAt(labelEnd - 1))) labelEnd--
    if (labelEnd === 0 || !isLabelChar(text.charCodeAt(labelEnd - 1))) continue
    const spacedBefore = labelEnd < at
    const afterSep = at + sep.length
    const tldFrom = skipSpaces(text, afterSep)
    const spacedAfter = plain && tldFrom > afterSep
    const end = tldEnd(text, tldFrom)
    if (end < 0) continue
    const tld = text.slice(tldFrom, end).toLowerCase()
    if (plain && !spacedBefore && !spacedAfter) {
      if (!(TLDS.has(tld) && !WORDY_TLDS.has(tld)) && !(WORDY_TLDS.has(tld) && text.charCodeAt(end) === 47)) continue
      const stop = hostEnd(text, at + 1)
      hosts.push(text.slice(hostStart(text, at), stop).toLowerCase())
      CANDIDATE.lastIndex = stop
      continue
    }
    // Written out: `label . tld`, `label. tld/…`, `label dot tld`, `label(dot)tld`.
    if (!EVASION_TLDS.has(tld)) continue
    // `fun. com` is a sentence; `discord. gg/abc` is a link.
    if (spacedAfter && !spacedBefore && text.charCodeAt(skipSpaces(text, end)) !== 47) continue
    let labelStart = labelEnd
    while (labelStart > 0 && isLabelChar(text.charCodeAt(labelStart - 1))) labelStart--
    const label = text.slice(labelStart, labelEnd).toLowerCase()
    if (STOP_LABELS.has(label)) continue
    hosts.push(`${label}.${tld}`)
    CANDIDATE.lastIndex = end
  }
  return hosts.length - before
}

/** True when `host` is one of `allowed` or a subdomain of one. */
export function isAllowed(host: string, allowed: readonly string[]): boolean {
  for (const d of allowed) {
    if (
      host === d ||
      (host.length > d.length && host.endsWith(d) && host.charCodeAt(host.length - d.length - 1) === 46)
    )
      return true
  }
  return false
}
