/** Small text helpers for the dashboard: sparkline, durations, rates, fixed-width cells. */

const BARS = '▁▂▃▄▅▆▇█'

/**
 * A sparkline of `values` in at most `width` characters: neighbouring values are merged (their maximum)
 * when there are more values than columns; the tallest bar is the largest value, zero is the lowest bar.
 */
export function sparkline(values: readonly number[], width: number = values.length): string {
  const cols = Math.max(0, Math.min(width, values.length))
  if (cols === 0) return ''
  const merged: number[] = []
  for (let c = 0; c < cols; c++) {
    const from = Math.floor((c * values.length) / cols)
    const to = Math.max(from + 1, Math.floor(((c + 1) * values.length) / cols))
    merged.push(Math.max(...values.slice(from, to)))
  }
  const max = Math.max(...merged)
  return merged
    .map((v) => (v <= 0 || max <= 0 ? BARS[0] : BARS[Math.min(7, 1 + Math.floor((v / max) * 6.999))]))
    .join('')
}

/** `42s`, `5m 03s`, `1h 02m`, `3d 4h`. */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const pad = (n: number) => String(n).padStart(2, '0')
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`
}

/** `—` for null, else `0.42ms`, `12ms`, `1.2s`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 10) return `${ms.toFixed(2)}ms`
  if (ms < 1000) return `${Math.round(ms)}ms`
  return `${(ms / 1000).toFixed(1)}s`
}

/** Events per second with two decimals below 10, one below 100, none above. */
export function formatRate(n: number): string {
  if (n < 10) return n.toFixed(2)
  if (n < 100) return n.toFixed(1)
  return String(Math.round(n))
}

/** Local wall-clock time `HH:MM:SS`. */
export function clock(time: number): string {
  const d = new Date(time)
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}

/** `text` cut to `width` characters (with `…`) and padded with spaces to exactly `width`. */
export function cell(text: string, width: number): string {
  if (width <= 0) return ''
  const chars = [...text]
  if (chars.length > width) return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`
  return text + ' '.repeat(width - chars.length)
}
