/**
 * The fuzzer of issue 12, shared by test/faults/fuzz.test.ts (10,000 cases) and bench/fuzz.bench.ts
 * (1,000,000): every body-taking route of every runnable module, hosted in process, gets mutated JSON
 * (valid bodies bent out of shape, random values, prototype keys, odd content types), and the chat parser
 * gets random lines. A case fails when the answer is a 5xx or anything throws; the process must survive.
 * Seeded, so a failing case can be replayed; every outside service points at a closed local port.
 */
import { generateKeyPairSync } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { parseCommand } from '../../src/modules/router/parse.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { startFakeKongAdmin } from '../fakes/kong-admin.js'
import { testProject } from '../helpers/settings.js'

/** A small fast PRNG (mulberry32): the same seed gives the same cases. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Field names of the wire schemas (CONTRACT §4-§6), so mutations reach past "unknown key". */
const FIELDS = [
  'platform',
  'server_id',
  'channel_id',
  'user_id',
  'user_name',
  'display_name',
  'message',
  'message_id',
  'message_type',
  'roles',
  'entity_id',
  'metadata',
  'events',
  'execution_id',
  'session_id',
  'module',
  'success',
  'responses',
  'error',
  'command',
  'args',
  'raw_message',
  'trigger',
  'user',
  'entity',
  'event',
  'container_id',
  'max_claims',
  'entity_ids',
  'is_live',
  'viewer_count',
  'has_activity',
  'error_message',
  'entities',
  'priority',
  'community_id',
  'type',
  'data',
  'text',
  'grace_ms',
  'prefix',
  'name',
  'pattern',
  'match_type',
  'action',
  'action_value',
  'enabled',
  'case_sensitive',
  'permission',
  'cooldown_ms',
  'location_url',
  'location',
  'challenge',
  'subscription',
  'token',
  'payload',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
]

const STRINGS = [
  '',
  ' ',
  '!',
  '!ping',
  '!ping "a b',
  '#x',
  '!PING arg',
  '!help',
  '!so @ann',
  'local',
  'twitch',
  'discord',
  'slack',
  'chatMessage',
  'follow',
  'ticker',
  'media',
  'general',
  'command',
  'event',
  'default',
  'word',
  'regex',
  'contains',
  'warn',
  'delete',
  'ban',
  // Regex rules are fuzzed for validity only ('[' and friends); ReDoS patterns belong to the regex-engine tests.
  '(a|b)',
  '[',
  '\u0000',
  '\ud800',
  '😀'.repeat(20),
  'é\u0301',
  '<script>alert(1)</script>',
  '$' + '{7*7}',
  '../../etc/passwd',
  '%00',
  'null',
  'true',
  '1e309',
  '-0',
  'http://127.0.0.1:9/x',
  'javascript:alert(1)',
  "' or 1=1 --",
  'a'.repeat(300),
]

const NUMBERS = [0, -1, 1, 0.5, -0.5, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, Number.MIN_VALUE, 100, 101, 65536]

export interface FuzzRoute {
  readonly module: string
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  readonly url: string
  readonly app: FastifyInstance
}

/** Valid bodies to mutate, by path; routes not listed start from random objects. */
const SEEDS: Record<string, unknown> = {
  '/api/v1/events': {
    platform: 'local',
    server_id: 's',
    channel_id: 'c',
    user_id: 'u',
    user_name: 'Ann',
    message: '!ping',
    message_type: 'chatMessage',
  },
  '/api/v1/events/batch': {
    events: [
      {
        platform: 'local',
        server_id: 's',
        channel_id: 'c',
        user_id: 'u',
        user_name: 'Ann',
        message: '!ping',
        message_type: 'chatMessage',
      },
    ],
  },
  '/browser/source/display': { community_id: 'default', type: 'ticker', data: { text: 'hi' } },
  '/browser/source/rotate': { community_id: 'default', type: 'media' },
  '/coordination/claim': { platform: 'twitch', container_id: 'c1' },
  '/coordination/status': { container_id: 'c1', entity_id: 'twitch:s:c', is_live: true },
  '/coordination/entities': { platform: 'twitch', entities: [{ entity_id: 'twitch:s:c' }] },
  '/api/v1/admin/stringmatch': { pattern: 'bad', match_type: 'word', action: 'warn' },
  '/api/v1/execute': {
    execution_id: 'e',
    session_id: 's',
    command: 'ping',
    args: [],
    raw_message: '!ping',
    trigger: 'command',
    user: { id: 'u', name: 'Ann', roles: [] },
    entity: { id: 'local:s:c', platform: 'local', server_id: 's', channel_id: 'c', community_id: 'default' },
  },
  '/api/v1/responses': { execution_id: 'e', session_id: 's', module: 'm', success: true, responses: [] },
}

/** One random JSON value, `depth` levels deep at most. */
function value(r: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
  const k = r()
  if (k < 0.3) return pick(STRINGS)
  if (k < 0.45) return pick(NUMBERS)
  if (k < 0.55) return r() < 0.5
  if (k < 0.62) return null
  if (depth <= 0) return pick(STRINGS)
  if (k < 0.8) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth - 1))
  const o: Record<string, unknown> = {}
  for (let i = Math.floor(r() * 5); i > 0; i--) o[pick(FIELDS)] = value(r, depth - 1)
  return o
}

/** A mutated copy of `seed`: fields dropped, replaced, added, retyped, or the whole body swapped. */
function mutate(r: () => number, seed: unknown): unknown {
  if (seed === null || typeof seed !== 'object' || r() < 0.1) return value(r, 3)
  const copy: Record<string, unknown> = Array.isArray(seed) ? { ...seed } : { ...(seed as Record<string, unknown>) }
  const keys = Object.keys(copy)
  for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
    const m = r()
    const key = keys[Math.floor(r() * keys.length)]
    if (m < 0.25 && key) delete copy[key]
    else if (m < 0.6 && key) copy[key] = r() < 0.5 ? mutate(r, copy[key]) : value(r, 2)
    else copy[FIELDS[Math.floor(r() * FIELDS.length)]!] = value(r, 2)
  }
  return Array.isArray(seed) ? Object.values(copy) : copy
}

/** The raw body and content type of case `r`: mostly JSON, sometimes broken JSON or another type. */
function body(r: () => number, seed: unknown): { payload: string; contentType: string } {
  const k = r()
  const json = JSON.stringify(mutate(r, seed)) ?? 'null'
  if (k < 0.8) return { payload: json, contentType: 'application/json' }
  if (k < 0.87) return { payload: json.slice(0, Math.floor(r() * json.length)), contentType: 'application/json' }
  if (k < 0.9)
    return {
      payload: '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}',
      contentType: 'application/json',
    }
  if (k < 0.95) return { payload: 'a=1&b=%ZZ&text=!ping', contentType: 'application/x-www-form-urlencoded' }
  return { payload: json, contentType: r() < 0.5 ? 'text/plain' : 'application/octet-stream' }
}

/** Every body-taking route of a hosted app, from fastify's route tree (`:param` filled in per case). */
function bodyRoutes(module: string, app: FastifyInstance): FuzzRoute[] {
  const out: FuzzRoute[] = []
  for (const route of app.servedRoutes) {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      if (method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE')
        out.push({ module, method, url: route.url, app })
    }
  }
  return out
}

export interface FuzzHost {
  readonly runtime: Runtime
  readonly routes: readonly FuzzRoute[]
  close(): Promise<void>
}

/**
 * Every runnable module in process (no ports), secrets set so webhooks check signatures, outside services on a
 * closed port — except Kong's Admin API, the broker's one upstream, which is the fake Kong (an unreachable Kong
 * makes `POST /api/v1/kong/reconcile` answer 502 by design, whatever the body).
 */
export async function startFuzzHost(): Promise<FuzzHost> {
  const closed = 'http://127.0.0.1:9'
  const kong = await startFakeKongAdmin()
  const discordKey = generateKeyPairSync('ed25519')
    .publicKey.export({ format: 'der', type: 'spki' })
    .subarray(12)
    .toString('hex')
  const project = testProject({
    env: {
      TWITCH_API_URL: closed,
      TWITCH_AUTH_URL: closed,
      TWITCH_IRC_URL: 'ws://127.0.0.1:9',
      TWITCH_EVENTSUB_WS_URL: 'ws://127.0.0.1:9',
      DISCORD_API_URL: closed,
      SLACK_API_URL: `${closed}/api/`,
      SPOTIFY_API_URL: closed,
      SPOTIFY_ACCOUNTS_URL: closed,
      YOUTUBE_API_URL: closed,
      OPENAI_BASE_URL: closed,
      OLLAMA_URL: closed,
      KONG_ADMIN_URL: kong.url,
      SLACK_SIGNING_SECRET: 'fuzz-signing-secret',
      TWITCH_EVENTSUB_SECRET: 'fuzz-eventsub-secret',
      DISCORD_PUBLIC_KEY: discordKey,
    },
  })
  const runtime = await startRuntime({ catalog: builtinCatalog, settings: project.settings, listen: false })
  const routes = runtime.hosted.flatMap((h) => bodyRoutes(h.def.name, h.app))
  return {
    runtime,
    routes,
    async close() {
      await runtime.stop()
      await kong.close()
      project.cleanup()
    },
  }
}

export interface FuzzFailure {
  readonly seed: number
  readonly case: number
  readonly route: string
  readonly status?: number
  readonly body: string
  readonly error?: string
}

const CHAT_SHARE = 0.2

/**
 * Runs cases `[from, from + count)` of `seed`, `concurrency` at a time: about 80% against the routes (round
 * robin, so every route is hit), 20% against the chat parser. Returns the failures (5xx or a throw).
 */
export async function fuzz(
  host: FuzzHost,
  seed: number,
  from: number,
  count: number,
  concurrency = 16,
): Promise<FuzzFailure[]> {
  const failures: FuzzFailure[] = []
  let next = from
  const lanes = Array.from({ length: concurrency }, async () => {
    while (next < from + count) {
      const failure = await fuzzCase(host, seed, next++)
      if (failure) failures.push(failure)
    }
  })
  await Promise.all(lanes)
  return failures
}

/** Case `i` of `seed`; its failure, if any. */
async function fuzzCase(host: FuzzHost, seed: number, i: number): Promise<FuzzFailure | undefined> {
  const r = rng(seed * 1_000_003 + i)
  if (r() < CHAT_SHARE) {
    const line = Array.from({ length: Math.floor(r() * 6) }, () => String(value(r, 0))).join(r() < 0.5 ? ' ' : '')
    try {
      parseCommand(line)
    } catch (error) {
      return { seed, case: i, route: 'parseCommand', body: line, error: String(error) }
    }
    return undefined
  }
  const route = host.routes[i % host.routes.length]!
  const url = route.url.replace(
    /:\w+/g,
    () => encodeURIComponent(String(value(r, 0)).replace(/[\ud800-\udfff]/g, '?')) || 'x',
  )
  const { payload, contentType } = body(r, SEEDS[route.url])
  const headers: Record<string, string> = { 'content-type': contentType }
  if (r() < 0.85) headers['x-api-key'] = host.runtime.serviceKey
  const where = `${route.module} ${route.method} ${url}`
  try {
    const res = await route.app.inject({ method: route.method, url, payload, headers })
    if (res.statusCode >= 500)
      return {
        seed,
        case: i,
        route: where,
        status: res.statusCode,
        body: payload.slice(0, 300),
        error: res.body.slice(0, 300),
      }
  } catch (error) {
    return { seed, case: i, route: where, body: payload.slice(0, 300), error: String(error) }
  }
  return undefined
}
