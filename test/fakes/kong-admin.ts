/**
 * A fake Kong Admin API (Kong 3.x, DB mode) on 127.0.0.1 port 0, for the kong-admin-broker tests: the subset
 * the broker uses, with Kong's paths, status codes and JSON shapes.
 * - `GET /` node information
 * - consumers: `GET|POST /consumers`, `GET|PUT|PATCH|DELETE /consumers/{username or id}`
 * - key-auth: `GET|POST /consumers/{c}/key-auth`, `GET|PUT|DELETE /consumers/{c}/key-auth/{id}`,
 *   `GET /key-auths`, `GET|PATCH|DELETE /key-auths/{id}`
 * - acls: `GET|POST /consumers/{c}/acls`, `DELETE /consumers/{c}/acls/{group or id}`
 * Lists page with `size`/`offset` and filter with `tags=a,b` (all of them); deleting a consumer deletes its
 * credentials and groups; a key or a consumer's username/custom_id or group is unique (409 otherwise);
 * unknown fields are a 400 schema violation; DELETE answers 204 whether the entity existed or not. Every
 * request is recorded; `failWith(status)` makes every request answer that status until cleared.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

type Tags = string[] | null
export interface KongConsumer {
  id: string
  username: string | null
  custom_id: string | null
  tags: Tags
  created_at: number
  updated_at: number
}
export interface KongKeyAuth {
  id: string
  key: string
  consumer: { id: string }
  ttl: number | null
  tags: Tags
  created_at: number
}
export interface KongAcl {
  id: string
  group: string
  consumer: { id: string }
  tags: Tags
  created_at: number
}

export interface FakeKongAdmin {
  readonly url: string
  readonly consumers: Map<string, KongConsumer>
  readonly keyAuths: Map<string, KongKeyAuth>
  readonly acls: Map<string, KongAcl>
  readonly requests: { method: string; path: string }[]
  /** The consumer by username, with its credentials' keys and its groups. */
  view(username: string): { consumer: KongConsumer; keys: string[]; groups: string[] } | undefined
  failWith(status: number | undefined): void
  close(): Promise<void>
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const now = () => Math.floor(Date.now() / 1000)

class KongError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message))
  }
}
const notFound = () => new KongError(404, { message: 'Not found' })
function schemaViolation(fields: Record<string, unknown>): KongError {
  const parts = Object.entries(fields).map(([k, v]) => `${k}: ${String(v)}`)
  const message = `schema violation (${parts.join('; ')})`
  return new KongError(400, { code: 2, name: 'schema violation', message, fields })
}
function unique(what: string, fields: Record<string, unknown>): KongError {
  const message = `UNIQUE violation detected on '${what}'`
  return new KongError(409, { code: 5, name: 'unique constraint violation', message, fields })
}

function checkFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k))
  if (unknown.length) throw schemaViolation(Object.fromEntries(unknown.map((k) => [k, 'unknown field'])))
  if (body.tags !== undefined && body.tags !== null) {
    const ok = Array.isArray(body.tags) && body.tags.every((t) => typeof t === 'string' && /^[\x21-\x7e]+$/.test(t))
    if (!ok || (body.tags as string[]).some((t) => t.includes(',') || t.includes('/')))
      throw schemaViolation({ tags: 'invalid tag' })
  }
}

export async function startFakeKongAdmin(): Promise<FakeKongAdmin> {
  const consumers = new Map<string, KongConsumer>()
  const keyAuths = new Map<string, KongKeyAuth>()
  const acls = new Map<string, KongAcl>()
  const requests: { method: string; path: string }[] = []
  let failing: number | undefined

  const findConsumer = (ref: string): KongConsumer | undefined =>
    UUID.test(ref) ? consumers.get(ref) : [...consumers.values()].find((c) => c.username === ref)
  const mustConsumer = (ref: string): KongConsumer => {
    const c = findConsumer(ref)
    if (!c) throw notFound()
    return c
  }

  function page<T extends { tags: Tags; created_at: number }>(all: T[], q: URLSearchParams, path: string) {
    const want = q.get('tags')?.split(',').filter(Boolean) ?? []
    const matching = all.filter((e) => want.every((t) => e.tags?.includes(t)))
    const size = Math.min(Math.max(Number(q.get('size') ?? 100) || 100, 1), 1000)
    const start = Number(q.get('offset') ? Buffer.from(q.get('offset')!, 'base64url').toString() : 0)
    const data = matching.slice(start, start + size)
    const more = start + size < matching.length
    const offset = more ? Buffer.from(String(start + size)).toString('base64url') : undefined
    const next = offset ? `${path}?${new URLSearchParams({ ...Object.fromEntries(q), offset })}` : null
    return { data, next, ...(offset ? { offset } : {}) }
  }

  function saveConsumer(body: Record<string, unknown>, existing: KongConsumer | undefined, id?: string): KongConsumer {
    checkFields(body, ['id', 'username', 'custom_id', 'tags'])
    const c: KongConsumer = {
      id: existing?.id ?? id ?? randomUUID(),
      username: (body.username as string | undefined) ?? existing?.username ?? null,
      custom_id: (body.custom_id as string | undefined) ?? existing?.custom_id ?? null,
      tags: (body.tags as Tags | undefined) ?? existing?.tags ?? null,
      created_at: existing?.created_at ?? now(),
      updated_at: now(),
    }
    if (!c.username && !c.custom_id)
      throw schemaViolation({ '@entity': "at least one of these fields must be non-empty: 'custom_id', 'username'" })
    for (const other of consumers.values()) {
      if (other.id === c.id) continue
      if (c.username && other.username === c.username)
        throw unique(`{username="${c.username}"}`, { username: c.username })
      if (c.custom_id && other.custom_id === c.custom_id)
        throw unique(`{custom_id="${c.custom_id}"}`, { custom_id: c.custom_id })
    }
    consumers.set(c.id, c)
    return c
  }

  function saveKeyAuth(body: Record<string, unknown>, consumer: KongConsumer, existing?: KongKeyAuth, id?: string) {
    checkFields(body, ['id', 'key', 'tags', 'ttl', 'consumer'])
    if (body.key !== undefined && (typeof body.key !== 'string' || body.key === ''))
      throw schemaViolation({ key: 'expected a string' })
    const k: KongKeyAuth = {
      id: existing?.id ?? id ?? randomUUID(),
      key: (body.key as string | undefined) ?? existing?.key ?? randomBytes(24).toString('hex'),
      consumer: { id: consumer.id },
      ttl: (body.ttl as number | undefined) ?? null,
      tags: (body.tags as Tags | undefined) ?? existing?.tags ?? null,
      created_at: existing?.created_at ?? now(),
    }
    for (const other of keyAuths.values())
      if (other.id !== k.id && other.key === k.key) throw unique(`{key="${k.key}"}`, { key: k.key })
    keyAuths.set(k.id, k)
    return k
  }

  function deleteConsumer(c: KongConsumer): void {
    consumers.delete(c.id)
    for (const [id, k] of keyAuths) if (k.consumer.id === c.id) keyAuths.delete(id)
    for (const [id, a] of acls) if (a.consumer.id === c.id) acls.delete(id)
  }

  function route(method: string, parts: string[], q: URLSearchParams, body: Record<string, unknown>) {
    const [top, ref, sub, subRef] = parts
    const path = `/${parts.join('/')}`
    if (parts.length === 0 && method === 'GET')
      return [200, { version: '3.9.0', tagline: 'Welcome to kong', hostname: 'fake-kong', node_id: randomUUID() }]
    if (top === 'consumers' && ref === undefined) {
      if (method === 'GET') return [200, page([...consumers.values()], q, path)]
      if (method === 'POST') return [201, saveConsumer(body, undefined)]
    }
    if (top === 'consumers' && ref !== undefined && sub === undefined) {
      const c = findConsumer(ref)
      if (method === 'GET')
        return c
          ? [200, c]
          : (() => {
              throw notFound()
            })()
      if (method === 'DELETE') {
        if (c) deleteConsumer(c)
        return [204, undefined]
      }
      if (method === 'PATCH') return [200, saveConsumer(body, mustConsumer(ref))]
      if (method === 'PUT') {
        const named = UUID.test(ref) ? body : { ...body, username: ref }
        if (!UUID.test(ref) && body.username !== undefined && body.username !== ref)
          throw schemaViolation({ username: 'must match the username in the path' })
        return [200, saveConsumer(named, c, UUID.test(ref) ? ref : undefined)]
      }
    }
    if (top === 'consumers' && ref !== undefined && sub === 'key-auth') {
      const c = mustConsumer(ref)
      const mine = [...keyAuths.values()].filter((k) => k.consumer.id === c.id)
      if (subRef === undefined && method === 'GET') return [200, page(mine, q, path)]
      if (subRef === undefined && method === 'POST') return [201, saveKeyAuth(body, c)]
      if (subRef !== undefined) {
        const k = mine.find((x) => x.id === subRef || x.key === subRef)
        if (method === 'GET')
          return k
            ? [200, k]
            : (() => {
                throw notFound()
              })()
        if (method === 'DELETE') {
          if (k) keyAuths.delete(k.id)
          return [204, undefined]
        }
        if (method === 'PUT') {
          if (!UUID.test(subRef)) throw schemaViolation({ id: 'expected a valid UUID' })
          const other = keyAuths.get(subRef)
          if (other && other.consumer.id !== c.id) throw notFound()
          return [200, saveKeyAuth(body, c, other, subRef)]
        }
      }
    }
    if (top === 'key-auths') {
      if (ref === undefined && method === 'GET') return [200, page([...keyAuths.values()], q, path)]
      if (ref !== undefined && sub === undefined) {
        const k = keyAuths.get(ref) ?? [...keyAuths.values()].find((x) => x.key === ref)
        if (method === 'GET')
          return k
            ? [200, k]
            : (() => {
                throw notFound()
              })()
        if (method === 'DELETE') {
          if (k) keyAuths.delete(k.id)
          return [204, undefined]
        }
        if (method === 'PATCH') {
          if (!k) throw notFound()
          const target = body.consumer as { id?: string } | undefined
          const consumer = target?.id ? findConsumer(target.id) : consumers.get(k.consumer.id)
          if (!consumer)
            throw schemaViolation({
              consumer: `the foreign key '{id="${target?.id}"}' does not reference an existing 'consumers' entity.`,
            })
          const { consumer: _, ...rest } = body
          return [200, saveKeyAuth(rest, consumer, k)]
        }
      }
    }
    if (top === 'consumers' && ref !== undefined && sub === 'acls') {
      const c = mustConsumer(ref)
      const mine = [...acls.values()].filter((a) => a.consumer.id === c.id)
      if (subRef === undefined && method === 'GET') return [200, page(mine, q, path)]
      if (subRef === undefined && method === 'POST') {
        checkFields(body, ['id', 'group', 'tags', 'consumer'])
        if (typeof body.group !== 'string' || !body.group) throw schemaViolation({ group: 'required field missing' })
        if (mine.some((a) => a.group === body.group))
          throw unique(`{consumer={id="${c.id}"},group="${body.group}"}`, { consumer: { id: c.id }, group: body.group })
        const a: KongAcl = {
          id: randomUUID(),
          group: body.group,
          consumer: { id: c.id },
          tags: (body.tags as Tags | undefined) ?? null,
          created_at: now(),
        }
        acls.set(a.id, a)
        return [201, a]
      }
      if (subRef !== undefined && method === 'DELETE') {
        const a = mine.find((x) => x.id === subRef || x.group === subRef)
        if (a) acls.delete(a.id)
        return [204, undefined]
      }
    }
    return [405, { message: 'Method not allowed' }]
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kong')
    requests.push({ method: req.method ?? 'GET', path: url.pathname })
    const send = (status: number, body: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' })
      res.end(body === undefined ? undefined : JSON.stringify(body))
    }
    if (failing) return send(failing, { message: 'An unexpected error occurred' })
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    let body: Record<string, unknown> = {}
    if (chunks.length) {
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return send(415, { message: 'Unsupported Media Type' })
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        return send(400, { message: 'Cannot parse JSON body' })
      }
    }
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
    try {
      const [status, out] = route(req.method ?? 'GET', parts, url.searchParams, body) as [number, unknown]
      send(status, out)
    } catch (e) {
      if (e instanceof KongError) return send(e.status, e.body)
      send(500, { message: 'An unexpected error occurred' })
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    consumers,
    keyAuths,
    acls,
    requests,
    view(username) {
      const consumer = [...consumers.values()].find((c) => c.username === username)
      if (!consumer) return undefined
      const keys = [...keyAuths.values()].filter((k) => k.consumer.id === consumer.id).map((k) => k.key)
      const groups = [...acls.values()].filter((a) => a.consumer.id === consumer.id).map((a) => a.group)
      return { consumer, keys, groups }
    },
    failWith(status) {
      failing = status
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
