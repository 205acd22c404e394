/**
 * Docs that match the code: the module tables in README.md and docs/operators.md are generated from the
 * registry (the source `module list` reads too); no doc calls a built module "not built/available yet"; and
 * every `waddlebot …` command in a doc's code block exists (its `--help` runs). With
 * WADDLEBOT_UPDATE_DOCS=1 the first test rewrites the tables instead of failing.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { after, test } from 'node:test'
import { moduleFacts, moduleTableMarkdown, TABLE_END, TABLE_START } from '../../src/cli/module-facts.js'
import { loadSettings } from '../../src/runtime/config.js'
import { REPO, runCli } from '../helpers/cli.js'

const empty = mkdtempSync(join(tmpdir(), 'wb-docs-'))
after(() => rmSync(empty, { recursive: true, force: true }))
const facts = moduleFacts(loadSettings({ cwd: empty, env: {} }))
const DOCS = [
  'README.md',
  ...readdirSync(join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]
const read = (file: string) => readFileSync(join(REPO, file), 'utf8')

test('the module tables in README.md and docs/operators.md are the registry', () => {
  const table = moduleTableMarkdown(facts)
  for (const file of ['README.md', 'docs/operators.md']) {
    const text = read(file)
    const start = text.indexOf(TABLE_START)
    const end = text.indexOf(TABLE_END)
    assert.ok(start >= 0 && end > start, `${file} has the generated-table markers`)
    const current = text.slice(start, end + TABLE_END.length)
    if (process.env.WADDLEBOT_UPDATE_DOCS === '1') writeFileSync(join(REPO, file), text.replace(current, table))
    else
      assert.equal(
        current,
        table,
        `${file}: run WADDLEBOT_UPDATE_DOCS=1 node --import tsx --test test/docs/docs-sync.test.ts`,
      )
  }
})

test('no doc says a built module or feature is not built', () => {
  const built = [
    ...facts.filter((f) => f.available).map((f) => f.name),
    'collector',
    'overlay',
    'string match',
    'coordination',
  ]
  const offenders: string[] = []
  for (const file of DOCS) {
    read(file)
      .split('\n')
      .forEach((line, i) => {
        if (line.includes(TABLE_START) || /^\| [a-z-]+ \| [a-z]+ \| \d+ \|/.test(line)) return
        if (!/not (built|available) yet|not built\b|unbuilt|isn't built|aren't built/i.test(line)) return
        const named = built.filter((b) => new RegExp(`\\b${b}`, 'i').test(line))
        if (named.length > 0) offenders.push(`${file}:${i + 1}: ${line.trim()} [${named.join(', ')}]`)
      })
  }
  assert.deepEqual(offenders, [])
})

function commandIds(): string[] {
  const dir = join(REPO, 'src', 'commands')
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) =>
      relative(dir, join(dir, f))
        .replace(/\.tsx?$/, '')
        .split(/[\\/]/)
        .join(' '),
    )
}

/** The command named by `waddlebot a b c …`: the longest run of leading words that is a command. */
function commandOf(words: string[], ids: readonly string[]): string | undefined {
  for (let n = Math.min(words.length, 3); n > 0; n--) {
    const id = words.slice(0, n).join(' ')
    if (ids.includes(id)) return id
  }
  return undefined
}

test("every `waddlebot …` command in a doc's code block exists and answers --help", { timeout: 300_000 }, async () => {
  const ids = commandIds()
  const used = new Map<string, string>()
  const unknown: string[] = []
  for (const file of DOCS) {
    // shell blocks (```sh, ```bash, ```console, or untagged); ```text blocks show output, not commands
    const blocks = (read(file).match(/```[a-z]*\n[\s\S]*?```/g) ?? []).filter((b) =>
      /^```(sh|bash|shell|console)?\n/.test(b),
    )
    for (const block of blocks) {
      const lines = block.split('\n').map((l) => l.replace(/\s#.*$/, ''))
      for (const m of lines
        .join('\n')
        .matchAll(/(?:^\s*(?:\$ )?(?:[A-Z_]+=\S* )*|&& |\| )(?:npx )?waddlebot((?: [a-z][a-z-]*)+)/gm)) {
        const words = m[1]!.trim().split(' ')
        const id = commandOf(words, ids)
        if (id) used.set(id, file)
        else unknown.push(`${file}: waddlebot ${words.join(' ')}`)
      }
    }
  }
  assert.deepEqual(unknown, [], 'commands in docs that do not exist')
  const all = [...used.keys()].sort()
  for (let i = 0; i < all.length; i += 3) {
    await Promise.all(
      all.slice(i, i + 3).map(async (id) => {
        const r = await runCli([...id.split(' '), '--help'], { cwd: empty })
        assert.equal(r.code, 0, `waddlebot ${id} --help (from ${used.get(id)}): ${r.stderr}`)
        assert.match(r.stdout, /USAGE/)
      }),
    )
  }
})
