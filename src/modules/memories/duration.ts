/** "10m", "2h", "3d", "1h30m", "90 seconds", "2 weeks": a duration in ms, from the words after `in`. */
const UNITS: Readonly<Record<string, number>> = {
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
}

/** The duration the leading words give and how many words it took; undefined when the first word is none. */
export function parseDuration(words: readonly string[]): { ms: number; used: number } | undefined {
  let ms = 0
  let used = 0
  while (used < words.length) {
    const word = words[used]!.toLowerCase()
    const compound = /^(?:\d{1,6}[a-z]+)+$/.test(word) ? [...word.matchAll(/(\d+)([a-z]+)/g)] : undefined
    if (compound?.every((m) => UNITS[m[2]!] !== undefined)) {
      for (const m of compound) ms += Number(m[1]) * UNITS[m[2]!]!
      used++
      continue
    }
    const unit = words[used + 1]?.toLowerCase()
    if (/^\d{1,6}$/.test(word) && unit !== undefined && UNITS[unit] !== undefined) {
      ms += Number(word) * UNITS[unit]!
      used += 2
      continue
    }
    break
  }
  return used > 0 ? { ms, used } : undefined
}

/** "2h 5m", "3d", "45s": a short human form of `ms`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ]
  const shown = parts.filter(([n]) => n > 0).slice(0, 2)
  return shown.length ? shown.map(([n, u]) => `${n}${u}`).join(' ') : '0s'
}
