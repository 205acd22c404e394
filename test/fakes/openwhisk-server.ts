/**
 * A fake OpenWhisk controller on 127.0.0.1: blocking action invocations
 * `POST /api/v1/namespaces/<ns>/actions/<action>?blocking=true&result=true` with basic auth. Like OpenWhisk,
 * an action that fails answers 502 `{error}`; a missing auth 401; an unknown action 404.
 */
import type { ExecutionRequest } from '../../src/contract/execution.js'
import { type FakeReply, type FakeServer, type RecordedRequest, resultFor, startFakeServer } from './webhook-server.js'

export const FAKE_OPENWHISK_AUTH = 'fake-uuid:fake-key-for-tests-only'

export interface ActionBehaviour {
  /** The action's result (the body with result=true). */
  result?: unknown
  /** The action failed: 502 `{error}`. */
  error?: string
  /** Answer this status and body instead (e.g. a proxy's 503). */
  status?: number
  delayMs?: number
}

export type Action = (params: ExecutionRequest, req: RecordedRequest) => ActionBehaviour | Promise<ActionBehaviour>

/** Default action: the success result of the request. */
export const echoAction: Action = (params) => ({ result: resultFor(params) })

export interface FakeOpenWhisk extends FakeServer {
  /** Actions by `namespace/action` (packages included: `ns/pkg/action`). */
  readonly actions: Map<string, Action>
}

const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/actions\/([^?]+)\?(.*)$/

export async function startOpenWhiskServer(
  actions: Record<string, Action> = {},
  auth = FAKE_OPENWHISK_AUTH,
): Promise<FakeOpenWhisk> {
  const table = new Map(Object.entries(actions))
  const expected = `Basic ${Buffer.from(auth).toString('base64')}`
  const fake = await startFakeServer(async (req): Promise<FakeReply> => {
    if (req.headers.authorization !== expected)
      return { status: 401, body: { error: 'The supplied authentication is invalid.', code: 1 } }
    const m = PATH.exec(req.url)
    if (req.method !== 'POST' || !m) return { status: 404, body: { error: `no route ${req.method} ${req.url}` } }
    const query = new URLSearchParams(m[3])
    if (query.get('blocking') !== 'true' || query.get('result') !== 'true')
      return { status: 400, body: { error: 'expected blocking=true&result=true' } }
    const key = `${decodeURIComponent(m[1])}/${m[2].split('/').map(decodeURIComponent).join('/')}`
    const action = table.get(key)
    if (!action) return { status: 404, body: { error: 'The requested resource does not exist.', code: 2 } }
    const b = await action(JSON.parse(req.body) as ExecutionRequest, req)
    const delay = b.delayMs ? { delayMs: b.delayMs } : {}
    if (b.status !== undefined) return { status: b.status, body: b.result ?? '', ...delay }
    if (b.error !== undefined) return { status: 502, body: { error: b.error }, ...delay }
    return { status: 200, body: b.result, ...delay }
  }, {})
  return Object.assign(fake, { actions: table })
}
