/**
 * Pretty log lines for a terminal: pino's JSON turned into one readable line per entry, written
 * synchronously in the same thread (no transport worker):
 *
 *   22:41:03.120 INFO  router   Server listening at http://127.0.0.1:8000
 *   22:41:09.002 WARN  twitch   Twitch chat disconnected; reconnecting reason="Connection closed."
 *
 * Colour only when the destination is a TTY and NO_COLOR is unset. A line that is not JSON passes as it is.
 */
import { Writable } from 'node:stream'

/** `auto`: pretty on a terminal, JSON otherwise. */
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

const LEVELS: Record<number, { name: string; colour: string }> = {
  10: { name: 'TRACE', colour: '90' },
  20: { name: 'DEBUG', colour: '36' },
  30: { name: 'INFO', colour: '32' },
  40: { name: 'WARN', colour: '33' },
  50: { name: 'ERROR', colour: '31' },
  60: { name: 'FATAL', colour: '35' },
}

/** Fields shown in the line's fixed columns, or not at all. */
const FIXED = new Set(['level', 'time', 'pid', 'hostname', 'module', 'name', 'msg', 'v'])

export interface PrettyOptions {
  readonly colour: boolean
}

/** `HH:MM:SS.mmm` in local time. */
function clock(time: unknown): string {
  const d = typeof time === 'number' ? new Date(time) : new Date()
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

/** A field's value on one line: strings quoted when they hold spaces, errors by their message. */
function valueText(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value
  if (value && typeof value === 'object') {
    const err = value as { message?: unknown; type?: unknown; code?: unknown }
    if (typeof err.message === 'string' && ('stack' in err || 'type' in err)) {
      const code = typeof err.code === 'string' ? `${err.code}: ` : ''
      return JSON.stringify(`${code}${err.message.split('\n')[0]}`)
    }
    return JSON.stringify(value)
  }
  return String(value)
}

/** One entry as one line (no trailing newline). */
export function prettyLine(entry: Record<string, unknown>, options: PrettyOptions): string {
  const level = LEVELS[entry.level as number] ?? { name: String(entry.level ?? '?'), colour: '0' }
  const paint = (code: string, text: string) => (options.colour ? `\u001b[${code}m${text}\u001b[0m` : text)
  const who = String(entry.module ?? entry.name ?? '')
  const fields = Object.entries(entry)
    .filter(([k, v]) => !FIXED.has(k) && v !== undefined)
    .map(([k, v]) => `${paint('90', `${k}=`)}${valueText(v)}`)
  const msg = typeof entry.msg === 'string' ? entry.msg.replaceAll('\n', ' ') : ''
  return [
    paint('90', clock(entry.time)),
    paint(level.colour, level.name.padEnd(5)),
    who ? paint('1', who.padEnd(14)) : ''.padEnd(14),
    msg,
    ...fields,
  ]
    .join(' ')
    .trimEnd()
}

/** A destination for pino that writes pretty lines to `out`. */
export function prettyStream(out: NodeJS.WritableStream, options: PrettyOptions): Writable {
  let pending = ''
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString()
      let end = pending.indexOf('\n')
      let text = ''
      while (end >= 0) {
        const line = pending.slice(0, end)
        pending = pending.slice(end + 1)
        text += `${formatRaw(line, options)}\n`
        end = pending.indexOf('\n')
      }
      if (text) out.write(text)
      done()
    },
  })
}

function formatRaw(line: string, options: PrettyOptions): string {
  try {
    const entry = JSON.parse(line) as unknown
    if (entry && typeof entry === 'object' && !Array.isArray(entry))
      return prettyLine(entry as Record<string, unknown>, options)
  } catch {}
  return line
}
