/**
 * `waddlebot deploy compose|k8s`: the output is valid by the Compose specification's schema and the
 * Kubernetes API schemas (test/deploy/validators.ts), follows the module catalog and the config, waits for
 * one migration run, and never carries a secret into the shared configuration.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { parseAllDocuments } from 'yaml'
import { composeFile } from '../../src/cli/deploy/compose.js'
import { k8sManifests, type Manifest, migrateJobName, routerScale } from '../../src/cli/deploy/k8s.js'
import { deployPlan } from '../../src/cli/deploy/plan.js'
import { deploymentMigrations } from '../../src/cli/migration-sets.js'
import { withStorage } from '../../src/cli/storage-session.js'
import { migrateDatabase } from '../../src/runtime/database.js'
import { MEASURED, resourcesFor } from '../../src/cli/deploy/sizing.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { loadSettings } from '../../src/runtime/config.js'
import { isWaddleError } from '../../src/runtime/errors.js'
import { createRegistry } from '../../src/runtime/registry.js'
import { runCli } from '../helpers/cli.js'
import { composeErrors, validateManifest } from './validators.js'

// biome-ignore lint/suspicious/noExplicitAny: generated documents walked freely; the asserts check every value
type Doc = any

const root = mkdtempSync(join(tmpdir(), 'wb-deploy-'))
after(() => rmSync(root, { recursive: true, force: true }))

/** A project folder with the given waddlebot.yaml and .env. */
function project(name: string, yaml: string, dotEnv = 'TWITCH_BOT_TOKEN=oauth:abc\nPOSTGRES_PASSWORD=pw\n'): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'waddlebot.yaml'), yaml)
  writeFileSync(join(dir, '.env'), dotEnv)
  return dir
}

const CONFIG = 'modules:\n  router:\n    replicas: 3\n  ai:\n    enabled: false\n  alias:\n    replicas: 2\n'
const image = 'registry.example/waddlebot:1.2.3'

function planFor(dir: string, env: NodeJS.ProcessEnv = {}, catalog = builtinCatalog) {
  const settings = loadSettings({ cwd: dir, env: { ...env } })
  const registry = createRegistry(settings, catalog)
  return { settings, registry, plan: deployPlan(settings, registry, { name: 'bot', image }) }
}

test('compose: valid by the Compose schema, one service per enabled module, migrate before modules', () => {
  const dir = project('compose', CONFIG)
  const { settings, registry, plan } = planFor(dir)
  const doc = composeFile(plan, { outDir: dir, projectDir: dir, bind: settings.bind }) as {
    services: Record<string, Doc>
  }
  assert.deepEqual(composeErrors(doc), [])
  assert.deepEqual(composeErrors({ services: { x: { image: 'a', restart: 5 } } }), [
    '/services/x/restart must be string',
  ])

  const enabled = registry.runnable().map((e) => e.name)
  assert.ok(enabled.includes('router') && !enabled.includes('ai'))
  const services = Object.keys(doc.services)
  assert.deepEqual(services.sort(), [...enabled, 'postgres', 'redis', 'migrate', 'kong'].sort())
  for (const name of enabled) {
    const s = doc.services[name]!
    assert.deepEqual(s.command, ['run', name])
    assert.equal(s.image, image)
    assert.deepEqual(s.depends_on.migrate, { condition: 'service_completed_successfully' })
    assert.equal(s.environment.WADDLEBOT_ROUTER_URL, 'http://router:8000')
    assert.equal(s.environment.WADDLEBOT_BIND, '0.0.0.0')
    assert.deepEqual(s.env_file, ['./.env'])
  }
  assert.deepEqual(doc.services.migrate!.command, ['db', 'migrate'])
  assert.deepEqual(doc.services.migrate!.depends_on, { postgres: { condition: 'service_healthy' } })
  assert.deepEqual(doc.services.router!.deploy, { replicas: 3 })
  assert.equal(doc.services.router!.ports, undefined, 'replicas cannot share one published port')
  assert.deepEqual(doc.services.twitch!.ports, ['127.0.0.1:8002:8002'])
  assert.deepEqual(doc.services.kong!.profiles, ['kong'])
  assert.equal(doc.services.kong!.ports.length, 1, 'only the proxy is published, never the admin API')
  assert.equal(doc.services.router!.environment.KONG_ADMIN_URL, 'http://kong:8001')
  assert.match(
    doc.services.router!.environment.DATABASE_URL,
    /^postgres:\/\/waddlebot:\$\{POSTGRES_PASSWORD\}@postgres/,
  )
})

test('k8s: every manifest valid by the Kubernetes schemas; Deployment, Service, PDB per module, HPA for the router', () => {
  const dir = project('k8s', CONFIG)
  const { registry, plan } = planFor(dir)
  const files = k8sManifests(plan)
  const all = files.flatMap((f) => f.docs)
  for (const doc of all) validateManifest(doc)
  assert.throws(() =>
    validateManifest({ ...all.find((d) => d.kind === 'Deployment')!, spec: { replicas: 'x' } } as Manifest),
  )

  const of = (kind: string) => all.filter((d) => d.kind === kind) as Doc[]
  const enabled = registry.runnable()
  for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget'])
    assert.deepEqual(
      of(kind)
        .map((d) => d.metadata.name)
        .sort(),
      enabled.map((e) => `bot-${e.name}`).sort(),
      kind,
    )
  const hpas = of('HorizontalPodAutoscaler')
  assert.equal(hpas.length, 1)
  assert.equal(hpas[0]!.spec.scaleTargetRef.name, 'bot-router')
  assert.deepEqual([hpas[0]!.spec.minReplicas, hpas[0]!.spec.maxReplicas], [3, 12])
  assert.deepEqual(routerScale(1), { min: 1, max: 4 })

  for (const d of of('Deployment')) {
    const module = d.metadata.labels['app.kubernetes.io/component']
    const entry = enabled.find((e) => e.name === module)!
    const c = d.spec.template.spec.containers[0]
    assert.deepEqual(c.args, ['run', module])
    assert.deepEqual(c.ports, [{ name: 'http', containerPort: entry.port }])
    assert.equal(c.readinessProbe.httpGet.path, '/health')
    assert.equal(c.livenessProbe.httpGet.path, '/health')
    assert.deepEqual(c.envFrom, [{ secretRef: { name: 'bot-secrets' } }, { configMapRef: { name: 'bot-env' } }])
    assert.deepEqual(c.resources, resourcesFor(entry.kind))
    assert.equal(d.spec.template.spec.securityContext.runAsNonRoot, true)
    assert.match(d.spec.template.spec.initContainers[0].args[0], /waddlebot db status --check/)
    if (module === 'router') assert.equal(d.spec.replicas, undefined, 'the HPA owns the router replicas')
    else assert.equal(d.spec.replicas, module === 'alias' ? 2 : 1)
  }

  const [envMap, fileMap] = of('ConfigMap')
  assert.equal(envMap!.data.WADDLEBOT_BROWSER_SOURCE_URL, 'http://bot-browser-source:8027')
  assert.equal(fileMap!.data['waddlebot.yaml'], CONFIG)
  const job = of('Job')[0]!
  assert.equal(job.metadata.name, migrateJobName(plan))
  assert.match(job.metadata.name, /^bot-migrate-1-2-3-[0-9a-f]{8}$/)
  const otherConfig = planFor(project('k8s-2', `${CONFIG}  memories:\n    enabled: false\n`)).plan
  assert.notEqual(migrateJobName(otherConfig), job.metadata.name, 'a config change runs the migration again')
  assert.ok(migrateJobName({ ...plan, image: `r/${'x'.repeat(70)}:${'9'.repeat(70)}` }).length <= 63)
  assert.deepEqual(job.spec.template.spec.containers[0].args, ['db', 'migrate'])
  const secret = files.find((f) => f.file === 'secret.yaml.example')!.docs[0] as Doc
  assert.ok(
    ['DATABASE_URL', 'REDIS_URL', 'WADDLEBOT_SERVICE_KEY', 'TWITCH_BOT_TOKEN'].every((k) => k in secret.stringData),
  )
  assert.ok(
    Object.values(secret.stringData).every((v) => v === ''),
    'no secret value is written',
  )
  // kubectl apply -f DIR applies in name order: config, then the migration, then the modules.
  assert.deepEqual(files.map((f) => f.file).slice(0, 2), ['00-config.yaml', '10-migrate-job.yaml'])
})

test('new catalog modules and project modules join the output by themselves', () => {
  const dir = project('catalog', 'modules:\n  greeter:\n    path: modules/greeter\n    port: 8100\n')
  const extra = { name: 'hub', kind: 'hub' as const, port: 8060, summary: 'hub', load: async () => ({}) as never }
  const catalog = [...builtinCatalog.filter((m) => m.name !== 'hub'), extra]
  const { plan } = planFor(dir, {}, catalog)
  const names = plan.modules.map((m) => m.name)
  assert.ok(names.includes('hub') && names.includes('greeter'))
  const all = k8sManifests(plan).flatMap((f) => f.docs) as Doc[]
  const greeter = all.find((d) => d.kind === 'Deployment' && d.metadata.name === 'bot-greeter')
  assert.equal(greeter.spec.template.spec.containers[0].ports[0].containerPort, 8100)
  for (const doc of all) validateManifest(doc)
})

test('secrets never reach the ConfigMap: secret-looking settings and URLs with passwords are refused', () => {
  const refused = (dir: string, env: NodeJS.ProcessEnv = {}) =>
    assert.throws(
      () => planFor(dir, env),
      (e: unknown) => isWaddleError(e) && e.code === 'WB_DEPLOY_SECRET_IN_CONFIG',
    )
  const plain = project('plain', 'modules:\n  spotify:\n    enabled: true\n')
  refused(plain, { WADDLEBOT_SPOTIFY_CLIENT_SECRET: 'shh' })
  refused(project('url', 'database:\n  url: postgres://bot:hunter2@db.internal/bot\n'))
  refused(project('nested', 'modules:\n  ai:\n    token:\n      value: x\n'))
  // The same setting in .env is the project's secret store: it becomes a Secret key, not a ConfigMap entry.
  const viaDotEnv = project('dotenv', 'modules: {}\n', 'WADDLEBOT_SPOTIFY_CLIENT_SECRET=shh\n')
  const { plan } = planFor(viaDotEnv)
  assert.ok(plan.secretNames.includes('WADDLEBOT_SPOTIFY_CLIENT_SECRET'))
  assert.equal(plan.env.WADDLEBOT_SPOTIFY_CLIENT_SECRET, undefined)
  // A non-secret module setting from the environment is carried over.
  assert.equal(planFor(plain, { WADDLEBOT_SPOTIFY_MARKET: 'DE' }).plan.env.WADDLEBOT_SPOTIFY_MARKET, 'DE')
})

test('resource requests are the measured figures of docs/performance.md', () => {
  const perf = readFileSync(new URL('../../docs/performance.md', import.meta.url), 'utf8')
  const row = perf.split('\n').find((l) => l.startsWith('| `start_rss_mb`'))!
  const [rss, baseline] = [/\| ([\d.]+) MB \|/.exec(row)![1], /\| ([\d.]+) \(bare fastify process RSS/.exec(row)![1]]
  assert.equal(Number(rss), MEASURED.startRssMb)
  assert.equal(Number(baseline), MEASURED.bareFastifyRssMb)
  assert.match(perf, new RegExp(`CPU ${MEASURED.routerCpuMicrosPerEvent} µs per request`))
  assert.deepEqual(resourcesFor('router').requests, { cpu: '100m', memory: `${Math.ceil(MEASURED.startRssMb)}Mi` })
})

test('CLI: deploy k8s writes the files; a secret in the environment is one error line and nothing written', async () => {
  const dir = project('cli', CONFIG)
  const out = join(dir, 'out')
  const bad = join(dir, 'bad')
  const [ok, r] = await Promise.all([
    runCli(['deploy', 'k8s', '--out', out, '--image', image, '--json'], { cwd: dir, env: { WADDLEBOT_CONFIG: '' } }),
    runCli(['deploy', 'compose', '--out', bad], {
      cwd: dir,
      env: { WADDLEBOT_CONFIG: '', WADDLEBOT_AI_OPENAI_TOKEN: 'sk-123' },
    }),
  ])
  assert.equal(ok.code, 0, ok.stderr)
  const report = JSON.parse(ok.stdout) as { files: string[] }
  assert.deepEqual(report.files.map((f) => f.replace(`${out}/`, '')).sort(), readdirSync(out).sort())
  for (const file of readdirSync(out)) {
    for (const doc of parseAllDocuments(readFileSync(join(out, file), 'utf8'))) validateManifest(doc.toJS() as Manifest)
  }

  assert.equal(r.code, 2)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^error WB_DEPLOY_SECRET_IN_CONFIG: secret-looking setting WADDLEBOT_AI_OPENAI_TOKEN .*\)\n$/)
  assert.equal(r.stderr.split('\n').length, 2)
  assert.equal(existsSync(bad), false)
})

test('CLI: db status --check fails until the migrations are applied (what the deploy waits on)', async () => {
  const dir = project('check', 'modules: {}\n')
  const env = { WADDLEBOT_CONFIG: '', DATABASE_URL: `sqlite:${join(dir, 'bot.db')}` }
  const before = await runCli(['db', 'status', '--check', '--json'], { cwd: dir, env })
  assert.equal(before.code, 1, before.stderr)
  const settings = loadSettings({ cwd: dir, env: { ...env } })
  await withStorage(settings, async (db) => migrateDatabase(db, await deploymentMigrations(settings)), {
    migrate: false,
  })
  const afterMigrate = await runCli(['db', 'status', '--check'], { cwd: dir, env })
  assert.equal(afterMigrate.code, 0, afterMigrate.stderr)
})
