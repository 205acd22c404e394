/**
 * `npm run bench [-- --quick] [-- --only key,key]`: runs every scenario, writes bench/results/latest.json and
 * the table in docs/performance.md. Each figure is reported with the baseline measured in the same run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { serversUnavailable } from '../test/helpers/backends.js'
import { freshPostgresUrl } from '../test/helpers/pg.js'
import { REDIS_TEST_URL } from '../test/helpers/backends.js'
import { type Row, renderTable, SCENARIOS } from './scenarios.js'

const quick = process.argv.includes('--quick')
const onlyArg = process.argv[process.argv.indexOf('--only') + 1]
const only = process.argv.includes('--only') && onlyArg ? new Set(onlyArg.split(',')) : undefined

const rows: Row[] = []
const results: Record<string, number | string> = {}
const started = Date.now()
const missing = await serversUnavailable().catch((e: Error) => e.message)
let pg: { url: string; drop(): Promise<void> } | undefined
if (!missing) pg = await freshPostgresUrl()
const pgEnv = pg ? { DATABASE_URL: pg.url, REDIS_URL: REDIS_TEST_URL } : undefined

try {
  for (const scenario of SCENARIOS) {
    if (only && !scenario.keys.some((k) => only.has(k))) continue
    if (scenario.needsPostgres && !pgEnv) {
      for (const k of scenario.keys) results[k] = `skipped: ${missing}`
      continue
    }
    process.stderr.write(`bench: ${scenario.name}…\n`)
    const t = performance.now()
    try {
      const out = await scenario.run({ quick, pgEnv: pgEnv ?? {}, results })
      rows.push(...out)
      for (const r of out) {
        results[r.key] = r.value
        if (r.baselineKey) results[r.baselineKey] = r.baseline ?? Number.NaN
      }
    } catch (error) {
      for (const k of scenario.keys) results[k] = `failed: ${(error as Error).message.split('\n')[0]}`
      process.stderr.write(`bench: ${scenario.name} failed: ${(error as Error).stack}\n`)
    }
    process.stderr.write(`bench: ${scenario.name} done in ${Math.round(performance.now() - t)} ms\n`)
  }
} finally {
  await pg?.drop()
}

const machine = {
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  memory_gb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: process.platform,
}
const latest = {
  date: new Date().toISOString(),
  quick,
  duration_s: Math.round((Date.now() - started) / 1000),
  machine,
  results,
  rows,
}
const dir = fileURLToPath(new URL('./results/', import.meta.url))
mkdirSync(dir, { recursive: true })
writeFileSync(`${dir}latest.json`, `${JSON.stringify(latest, null, 2)}\n`)

const docPath = fileURLToPath(new URL('../docs/performance.md', import.meta.url))
const doc = readFileSync(docPath, 'utf8')
const table = renderTable(latest.date, machine, quick, rows)
const updated = doc.replace(
  /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
  `<!-- bench:start -->\n${table}\n<!-- bench:end -->`,
)
writeFileSync(docPath, updated)
process.stdout.write(`${table}\n`)
