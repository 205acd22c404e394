/**
 * 1,000 adversarial rule regexes (shapes that backtrack catastrophically or polynomially in a backtracking
 * engine, including `\w*\w*\W`, `\S*\S*\s` and `[\s\S]*[\s\S]*\d`) against 2,000-character messages built
 * to make them fail late. Each accepted regex runs as a one-rule matcher on each message; the figure is the
 * slowest single (regex, message) run. Target: none over 10 ms. Also counts which ordinary patterns the
 * validator accepts (all of them should be).
 * Run alone: `node --import tsx bench/regex-adversarial.ts [--quick]` prints the result as JSON.
 */
import { pathToFileURL } from 'node:url'
import { compileMatcher } from '../src/modules/router/matcher/compile.js'
import { regexProblem } from '../src/modules/router/matcher/regex-tools.js'
import type { StringRule } from '../src/modules/router/matcher/types.js'

const ATOMS = [
  '\\w',
  '\\W',
  '\\s',
  '\\S',
  '\\d',
  '\\D',
  '.',
  '[\\s\\S]',
  '[a-z]',
  'a',
  '[^!]',
  '(?:\\w|-)',
  '(?:a|ab)',
  '\\p{L}',
]
const QUANTS = ['*', '+', '{0,40}', '*?', '{2,}', '?']
const TAILS = ['\\W', '\\s', '\\d', '!', '$', '@', 'x$', '\\b!']

/** The named ones from issue 12 first, then classic ReDoS shapes, then generated rows of repeats. */
export function adversarialPatterns(count = 1000): string[] {
  const out = new Set([
    '\\w*\\w*\\W',
    '\\S*\\S*\\s',
    '[\\s\\S]*[\\s\\S]*\\d',
    '(a+)+$',
    '(a|a)*b',
    '(a|ab)*c',
    '(\\w+\\s?)+$',
    '(.*a){12}',
    '.*a.*b.*c.*d',
    '(?:\\d+)*x',
    '^(\\w+\\s?)*$',
    '(x+x+)+y',
  ])
  for (let i = 0; out.size < count; i++) {
    const n = 2 + (i % 5)
    let p = ''
    for (let k = 0; k < n; k++)
      p += ATOMS[(i * 7 + k * 5 + (i >> 4)) % ATOMS.length] + QUANTS[(i + k * 3 + (i >> 3)) % QUANTS.length]
    p += TAILS[(i * 3 + (i >> 5)) % TAILS.length]
    if (i % 3 === 0) p = `(?:${p})+$`
    else if (i % 3 === 1) p = `^(${p})*`
    out.add(p)
  }
  return [...out].slice(0, count)
}

/** Messages of exactly 2,000 characters that no tail above matches at the end. */
export function adversarialMessages(): string[] {
  return [
    'a'.repeat(2000),
    ' '.repeat(2000),
    'ab '.repeat(667).slice(0, 2000),
    '1'.repeat(2000),
    `${'x'.repeat(1999)}y`,
    'a1 '.repeat(667).slice(0, 2000),
    'é'.repeat(2000),
  ]
}

export const ORDINARY_PATTERNS = [
  '(?:\\w|-)+@',
  'free\\s+v-?bucks',
  '^!?discord$',
  '(?:https?://)?bit\\.ly/\\w+',
  '[A-Z]{10,}',
  's+h+[i1!]+t+',
  '\\b(?:buy|cheap)\\s+followers\\b',
  '\\d{3}-\\d{4}',
  '(?<name>abc)',
  '(?<=@)\\w+',
  '\\p{Script=Cyrillic}{3}',
  '(.)(.)',
  '[\\w.+-]+@[\\w-]+\\.[\\w.]+',
  '(?:discord\\.gg|discord\\.com/invite)/\\w+',
  '^(?:\\w+\\s){5,}\\w+$',
  'a{2,100}',
]

/** CPU milliseconds of this process (all threads, so GC counts) spent in `f`. */
function cpuMs(f: () => void): number {
  const start = process.cpuUsage()
  f()
  const d = process.cpuUsage(start)
  return (d.user + d.system) / 1000
}

function wallMs(f: () => void): number {
  const t = performance.now()
  f()
  return performance.now() - t
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function rule(id: number, pattern: string): StringRule {
  return {
    id,
    pattern,
    match_type: 'regex',
    case_sensitive: false,
    action: 'warn',
    action_value: null,
    timeout_seconds: null,
    priority: 100,
    entity_id: null,
    enabled: true,
    created_by: null,
    created_at: 0,
    updated_at: 0,
    match_count: 0,
  }
}

export interface RegexBenchResult {
  regexes: number
  accepted: number
  refused: number
  runs: number
  /** CPU time of the process (median of 3 runs): the shared machine's preemption does not count. */
  max_ms_per_message: number
  /** The slowest single run by the wall clock, preemption and GC included. */
  max_wall_ms_single_run: number
  p99_ms_per_message: number
  worst_pattern: string
  all_rules_together_max_ms: number
  ordinary_accepted: number
  ordinary_total: number
  ordinary_refused: string[]
}

export function benchRegexAdversarial(options: { quick?: boolean } = {}): RegexBenchResult {
  const patterns = adversarialPatterns(options.quick ? 200 : 1000)
  const messages = adversarialMessages()
  const times: number[] = []
  let wallWorst = 0
  let worst = 0
  let worstPattern = ''
  let accepted = 0
  const rules: StringRule[] = []
  for (const [i, p] of patterns.entries()) {
    if (regexProblem(p, false) !== undefined) continue
    accepted++
    rules.push(rule(i + 1, p))
    const m = compileMatcher([rule(i + 1, p)])
    for (const msg of messages) m.match(msg) // warm the engine's caches and the JIT
    for (const msg of messages) {
      const ms = median([cpuMs(() => m.match(msg)), cpuMs(() => m.match(msg)), cpuMs(() => m.match(msg))])
      wallWorst = Math.max(
        wallWorst,
        wallMs(() => m.match(msg)),
      )
      times.push(ms)
      if (ms > worst) {
        worst = ms
        worstPattern = p
      }
    }
  }
  const all = compileMatcher(rules)
  let together = 0
  for (const msg of messages) all.match(msg)
  for (const msg of messages)
    together = Math.max(
      together,
      cpuMs(() => all.match(msg)),
    )
  times.sort((a, b) => a - b)
  const ordinaryRefused = ORDINARY_PATTERNS.filter((p) => regexProblem(p, false) !== undefined)
  const r3 = (n: number) => Math.round(n * 1000) / 1000
  return {
    regexes: patterns.length,
    accepted,
    refused: patterns.length - accepted,
    runs: times.length,
    max_ms_per_message: r3(worst),
    max_wall_ms_single_run: r3(wallWorst),
    p99_ms_per_message: r3(times[Math.floor(times.length * 0.99)] ?? 0),
    worst_pattern: worstPattern,
    all_rules_together_max_ms: r3(together),
    ordinary_accepted: ORDINARY_PATTERNS.length - ordinaryRefused.length,
    ordinary_total: ORDINARY_PATTERNS.length,
    ordinary_refused: ordinaryRefused,
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(benchRegexAdversarial({ quick: process.argv.includes('--quick') }), null, 2))
}
