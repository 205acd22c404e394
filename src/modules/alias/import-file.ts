/**
 * `waddlebot alias import <file>`: a CSV (`name,response`, optional header) or a JSON list of
 * `{name, response}` (also `command` / `message`, as other bots export). Nightbot `$(user)` and
 * StreamElements `${user}` variables are translated to waddlebot's; one that has no equivalent refuses
 * the whole file, naming the line (nothing is imported).
 */
import { nameProblem, normalizeName, responseProblem } from './service.js'

export interface ImportLine {
  readonly line: number
  readonly name: string
  readonly response: string
}

export type ImportParse =
  | { readonly ok: true; readonly lines: readonly ImportLine[] }
  | { readonly ok: false; readonly line: number; readonly reason: string }

/** Nightbot `$(x …)` and StreamElements `${x …}` → waddlebot; undefined when there is no equivalent. */
function translateOne(inner: string): string | undefined {
  const body = inner.trim()
  const simple: Record<string, string> = {
    user: '{user}',
    'user.name': '{user}',
    sender: '{user}',
    touser: '{touser}',
    query: '{args}',
    args: '{args}',
    '1:': '{args}',
    count: '{count}',
    channel: '{channel}',
    uptime: '{uptime}',
    time: '{time}',
  }
  const direct = simple[body.toLowerCase()]
  if (direct) return direct
  const arg = /^([1-9])$/.exec(body)
  if (arg) return `{arg${arg[1]}}`
  const zone = /^time[ .]([A-Za-z_]+(?:\/[A-Za-z_+-]+)*)$/.exec(body)
  if (zone) return `{time:${zone[1]}}`
  const range = /^random\.(\d+)-(\d+)$/.exec(body)
  if (range) return `{random.number:${range[1]}-${range[2]}}`
  const pick = /^random\.pick\s+(.+)$/.exec(body)
  if (pick) {
    const options = [...(pick[1] ?? '').matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
    if (options.length > 0 && options.every((o) => !o.includes('|'))) return `{random:${options.join('|')}}`
  }
  return undefined
}

/** Translates every `$(…)` / `${…}` of `text`; the first one without an equivalent is the error. */
export function translateVariables(text: string): { text: string } | { unknown: string } {
  let unknown: string | undefined
  const out = text.replace(/\$\(([^()]*)\)|\$\{([^{}]*)\}/g, (whole, nb?: string, se?: string) => {
    const mapped = translateOne(nb ?? se ?? '')
    if (mapped === undefined) unknown ??= whole
    return mapped ?? whole
  })
  return unknown === undefined ? { text: out } : { unknown }
}

/** Splits one CSV record (RFC 4180 quoting) into fields. */
function csvFields(line: string): string[] {
  const fields: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"'
        i++
      } else if (ch === '"') quoted = false
      else current += ch
    } else if (ch === '"' && current === '') quoted = true
    else if (ch === ',') {
      fields.push(current)
      current = ''
    } else current += ch
  }
  fields.push(current)
  return fields
}

function rawEntries(
  text: string,
  json: boolean,
): ImportParse | { entries: { line: number; name: unknown; response: unknown }[] } {
  if (json) {
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch (error) {
      return { ok: false, line: 1, reason: `not valid JSON (${(error as Error).message})` }
    }
    const list = Array.isArray(data) ? data : (data as { commands?: unknown })?.commands
    if (!Array.isArray(list)) return { ok: false, line: 1, reason: 'expected a list of {name, response}' }
    // JSON has no line numbers per item: the item's position (1-based) stands in for it.
    return {
      entries: list.map((item: Record<string, unknown> | null, i) => ({
        line: i + 1,
        name: item?.name ?? item?.command,
        response: item?.response ?? item?.message,
      })),
    }
  }
  const entries: { line: number; name: unknown; response: unknown }[] = []
  const lines = text.split(/\r?\n/)
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === '') continue
    const [name, ...rest] = csvFields(raw)
    if (i === 0 && name?.trim().toLowerCase() === 'name') continue // the header
    if (rest.length === 0) return { ok: false, line: i + 1, reason: 'expected name,response' }
    entries.push({ line: i + 1, name: name?.trim(), response: rest.join(',') })
  }
  return { entries }
}

/** Parses and checks a whole file (names, texts, variables, duplicates); `json` picks the format. */
export function parseImport(text: string, json: boolean): ImportParse {
  const raw = rawEntries(text, json)
  if ('ok' in raw) return raw
  const seen = new Set<string>()
  const lines: ImportLine[] = []
  for (const e of raw.entries) {
    if (typeof e.name !== 'string' || typeof e.response !== 'string')
      return { ok: false, line: e.line, reason: 'needs a name and a response (text)' }
    const name = normalizeName(e.name.trim())
    const bad = nameProblem(name)
    if (bad) return { ok: false, line: e.line, reason: bad }
    if (seen.has(name)) return { ok: false, line: e.line, reason: `!${name} appears twice` }
    seen.add(name)
    const translated = translateVariables(e.response.trim())
    if ('unknown' in translated)
      return { ok: false, line: e.line, reason: `${translated.unknown} has no waddlebot equivalent` }
    const empty = responseProblem(translated.text)
    if (empty) return { ok: false, line: e.line, reason: empty }
    lines.push({ line: e.line, name, response: translated.text })
  }
  if (lines.length === 0) return { ok: false, line: 1, reason: 'no custom commands in the file' }
  return { ok: true, lines }
}
