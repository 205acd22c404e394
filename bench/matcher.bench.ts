/**
 * String-match benchmark: time per message with 100 rules vs 10,000 realistic rules (mostly word/contains
 * literals, ~5% regex, mixed scopes), over the same 5,000 generated chat messages. The compiled matcher
 * should grow sub-linearly: target `matcher_growth_100_to_10k` < 2.
 * Run alone: `node --import tsx bench/matcher.bench.ts [--quick]` prints the result as JSON.
 */
import { pathToFileURL } from 'node:url'
import { type CompiledMatcher, compileMatcher } from '../src/modules/router/matcher/compile.js'
import { RULE_ACTIONS, type StringRule } from '../src/modules/router/matcher/types.js'

/** The result of {@link benchMatcher}. */
export interface MatcherBenchResult {
  per_message_ns_100: number
  per_message_ns_10k: number
  matcher_growth_100_to_10k: number
}

/** A small deterministic PRNG (mulberry32), so every run sees the same rules and messages. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const CHAT_WORDS = (
  'the a to and i you it is that of in for this lol what on my so just be gg no yes have are was with me not like do can ' +
  'stream game play good nice love hype chat streamer today now get one time when how why go back first win lose boss ' +
  'level run again wait hello hi hey thanks bro dude omg wow clip song music vod tomorrow night raid follow sub bits ' +
  'emote pog kappa lul kekw monkas pepega sadge poggers widepeepohappy catjam'
).split(' ')
const EMOJI = ['😂', '🔥', '❤️', '👍', '🎉', '😭', '🐧', 'ñandú', 'straße', 'Ελληνικά', 'русский', '日本語', 'مرحبا']
const ENTITIES = Array.from({ length: 50 }, (_, i) => `twitch:${1000 + i}:${1000 + i}`)

/** Syllables of made-up banned words (rules) and, separately, of made-up words people type (messages). */
const RULE_SYLLABLES =
  'ka zu mi ro ne sha tor vel qua bix nok lar dre fim gus hep jaw kly mox pry sne tup vor wex yil zog brak cint dosh elv frum gloz hask irv jub kesh lom murk nif orp plim quor rusk sav tib ulk vosh wim xan yorp zeb'.split(
    ' ',
  )
const CHAT_SYLLABLES = 'an be co de en fa gi ho in jo lu ma no on pa re si ta un vi wa yo'.split(' ')

function pseudoWord(rand: () => number, syllables: readonly string[] = RULE_SYLLABLES): string {
  let w = ''
  const n = 2 + Math.floor(rand() * 3)
  for (let i = 0; i < n; i++) w += syllables[Math.floor(rand() * syllables.length)]
  return w
}

/** `count` realistic rules: 60% word, 35% contains (some phrases), 5% regex (a tenth without a literal). */
export function realisticRules(count: number, seed = 42): StringRule[] {
  const rand = prng(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]
  const rules: StringRule[] = []
  const seen = new Set<string>()
  for (let id = 1; id <= count; id++) {
    const roll = rand()
    // A banned-word list holds distinct words.
    let word = pseudoWord(rand)
    while (seen.has(word)) word = pseudoWord(rand)
    seen.add(word)
    let pattern: string
    let match_type: StringRule['match_type']
    if (roll < 0.05) {
      match_type = 'regex'
      const shape = Math.floor(rand() * 10)
      pattern = [
        `free\\s+${word}s?`,
        `https?://(?:www\\.)?${word}\\.(?:com|net|xyz)`,
        `${word}\\d{2,4}`,
        `\\b${word}\\b`,
        `${word}[._-]?${pseudoWord(rand)}`,
        `buy\\s+(?:cheap\\s+)?${word}`,
        `${word}(?:ing|ed|er)?`,
        `^!${word}$`,
        `${word}\\W*${pseudoWord(rand)}`,
        `[A-Z]{${15 + Math.floor(rand() * 20)},}`,
      ][shape]
    } else if (roll < 0.65) {
      match_type = 'word'
      pattern = word
    } else {
      match_type = 'contains'
      pattern = rand() < 0.3 ? `${pick(['buy', 'cheap', 'free', 'get'])} ${word}` : word
    }
    const scoped = rand() < 0.3
    const action = pick(RULE_ACTIONS)
    rules.push({
      id,
      pattern,
      match_type,
      // A shouting rule only makes sense case-sensitively.
      case_sensitive: pattern.startsWith('[A-Z]') || rand() < 0.1,
      priority: 1 + Math.floor(rand() * 200),
      entity_id: scoped ? pick(ENTITIES) : null,
      action,
      action_value:
        action === 'respond'
          ? 'hi {user}'
          : action === 'command'
            ? '!so {user}'
            : action === 'webhook'
              ? 'http://127.0.0.1:9/hook'
              : null,
      timeout_seconds: action === 'timeout' ? 60 : null,
      enabled: true,
      created_by: 'bench',
      created_at: 0,
      updated_at: 0,
      match_count: 0,
    })
  }
  return rules
}

/**
 * `count` chat messages (1–30 words, emotes, Unicode, the odd URL and shout) with an entity each. About
 * one word in a hundred is a literal of `banned` (rules both rule sets hold), one in fifty an unknown
 * made-up word.
 */
export function realisticMessages(
  count: number,
  banned: readonly string[],
  seed = 7,
): { text: string; entity: string }[] {
  const rand = prng(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]
  const out: { text: string; entity: string }[] = []
  for (let i = 0; i < count; i++) {
    const words: string[] = []
    const n = 1 + Math.floor(rand() * 30)
    for (let w = 0; w < n; w++) {
      const r = rand()
      if (r < 0.01 && banned.length > 0) words.push(pick(banned))
      else if (r < 0.08) words.push(pick(EMOJI))
      else if (r < 0.1) words.push(pseudoWord(rand, CHAT_SYLLABLES))
      else if (r < 0.11) words.push(`https://${pseudoWord(rand, CHAT_SYLLABLES)}.com/x`)
      else if (r < 0.12) words.push(pick(CHAT_WORDS).toUpperCase())
      else words.push(pick(CHAT_WORDS))
    }
    out.push({ text: words.join(' '), entity: pick(ENTITIES) })
  }
  return out
}

/** Nanoseconds per message for one pass of `matcher` over `messages`. */
function onePass(matcher: CompiledMatcher, messages: readonly { text: string; entity: string }[]): number {
  let sink = 0
  const start = process.hrtime.bigint()
  for (const m of messages) sink += matcher.match(m.text, m.entity).length
  const ns = Number(process.hrtime.bigint() - start) / messages.length
  if (sink < 0) throw new Error('unreachable')
  return ns
}

/**
 * Times the matcher with 100 and with 10,000 rules over the same 5,000 messages. Passes alternate between
 * the two sizes (so both see the same machine state) and the fastest pass of each counts, which filters
 * out noise from other processes.
 */
export async function benchMatcher(opts: { quick: boolean }): Promise<MatcherBenchResult> {
  const passes = opts.quick ? 6 : 30
  const all = realisticRules(10_000)
  const banned = all
    .slice(0, 100)
    .filter((r) => r.match_type !== 'regex')
    .map((r) => r.pattern.split(' ').pop()!)
  const messages = realisticMessages(5_000, banned)
  const small = compileMatcher(all.slice(0, 100))
  const large = compileMatcher(all)
  onePass(small, messages)
  onePass(large, messages)
  let ns100 = Number.POSITIVE_INFINITY
  let ns10k = Number.POSITIVE_INFINITY
  for (let i = 0; i < passes; i++) {
    ns100 = Math.min(ns100, onePass(small, messages))
    ns10k = Math.min(ns10k, onePass(large, messages))
    await new Promise((resolve) => setImmediate(resolve))
  }
  return {
    per_message_ns_100: Math.round(ns100),
    per_message_ns_10k: Math.round(ns10k),
    matcher_growth_100_to_10k: Math.round((ns10k / ns100) * 100) / 100,
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchMatcher({ quick: process.argv.includes('--quick') })))
}
