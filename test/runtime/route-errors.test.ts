/**
 * Every HTTP error body's `code` is registered: every available module is hosted (SQLite, no platform tokens),
 * and every route of every module server gets bad input (a JSON body of the wrong shape, malformed JSON, a
 * wrong content type) with the service key, and the same without a key. Each error answer must be the
 * documented shape `{error:{code,message,hint}}` with a code of the registry, and an HTTP hint never names a
 * CLI flag. Pages for people (overlays, the Spotify login) answer errors as HTML pages.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { ERRORS } from '../../src/runtime/errors.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { testProject } from '../helpers/settings.js'

const SERVICE_KEY = 'route-errors-service-key-0123456789abcdef'
const project = testProject({
  env: { WADDLEBOT_SERVICE_KEY: SERVICE_KEY, WADDLEBOT_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') },
})
let runtime: Runtime

before(async () => {
  runtime = await startRuntime({ settings: project.settings, catalog: builtinCatalog, listen: false })
})
after(async () => {
  await runtime?.stop()
  project.cleanup()
})

interface Probe {
  readonly label: string
  readonly headers: Record<string, string>
  readonly payload?: string
}

const PROBES: readonly Probe[] = [
  {
    label: 'wrong shape, service key',
    headers: { 'content-type': 'application/json', 'x-service-key': SERVICE_KEY },
    payload: '{"unexpected":[1,2,3],"platform":42}',
  },
  {
    label: 'malformed JSON, service key',
    headers: { 'content-type': 'application/json', 'x-service-key': SERVICE_KEY },
    payload: '{"a":',
  },
  {
    label: 'text/plain, service key',
    headers: { 'content-type': 'text/plain', 'x-service-key': SERVICE_KEY },
    payload: 'hello',
  },
  { label: 'wrong shape, no key', headers: { 'content-type': 'application/json' }, payload: '{"unexpected":true}' },
  { label: 'no body, no key', headers: {} },
]

/** A concrete URL for a route pattern (`:param` and `*` filled in). */
const concrete = (url: string) => url.replace(/:[A-Za-z_]+/g, 'x').replace(/\*/g, 'x')

test('every module serves routes, and every error answer of every route carries a registered code', async () => {
  assert.ok(runtime.hosted.length >= 7, `hosted: ${runtime.hosted.map((h) => h.def.name)}`)
  let checked = 0
  const problems: string[] = []
  for (const h of runtime.hosted) {
    const routes = h.app.servedRoutes
    assert.ok(
      routes.some((r) => r.url === '/health'),
      `${h.def.name} serves /health`,
    )
    for (const route of routes) {
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter(
        (m) => m !== 'HEAD' && m !== 'OPTIONS',
      )
      for (const method of methods) {
        for (const probe of PROBES) {
          if ((method === 'GET' || method === 'DELETE') && probe.payload !== undefined) continue
          const res = await h.app.inject({
            method: method as 'GET',
            url: concrete(route.url),
            headers: probe.headers,
            ...(probe.payload === undefined ? {} : { payload: probe.payload }),
          })
          checked++
          if (res.statusCode < 400) continue
          const where = `${h.def.name} ${method} ${route.url} (${probe.label}) → ${res.statusCode}`
          // Pages for people (overlays, the Spotify login) answer errors as pages, not JSON.
          if (String(res.headers['content-type']).startsWith('text/html')) {
            if (!/<html/i.test(res.body)) problems.push(`${where}: an HTML answer that is not a page`)
            continue
          }
          let body: { error?: { code?: string; message?: string; hint?: string } }
          try {
            body = JSON.parse(res.body)
          } catch {
            problems.push(`${where}: not JSON: ${res.body.slice(0, 80)}`)
            continue
          }
          const code = body.error?.code
          if (!code || !(code in ERRORS))
            problems.push(`${where}: unregistered code ${code}: ${res.body.slice(0, 120)}`)
          else if (typeof body.error?.message !== 'string') problems.push(`${where}: no message`)
          if (body.error?.hint?.includes('--')) problems.push(`${where}: CLI hint over HTTP: ${body.error.hint}`)
        }
      }
    }
  }
  assert.deepEqual(problems, [])
  assert.ok(checked > 100, `probed ${checked} requests`)
})
