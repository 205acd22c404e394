/**
 * A fake AWS Lambda Invoke API on 127.0.0.1: `POST /2015-03-31/functions/<name>/invocations`. It does not
 * verify SigV4 signatures, but it checks that a request is signed (an `AWS4-HMAC-SHA256` authorization with
 * the expected access key), the path, the method and the invocation type.
 */
import type { ExecutionRequest } from '../../src/contract/execution.js'
import { type FakeReply, type FakeServer, type RecordedRequest, resultFor, startFakeServer } from './webhook-server.js'

export const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIAFAKETESTKEY00000',
  secretAccessKey: 'fake-secret-key-for-tests-only',
}

/** What a fake function does with one invocation. */
export interface LambdaBehaviour {
  /** The function's return value (serialized as the Payload). */
  payload?: unknown
  /** Set `X-Amz-Function-Error` (e.g. `Unhandled`); payload should then be `{errorMessage, errorType}`. */
  functionError?: string
  /** An AWS service error instead of an invocation: status + `x-amzn-errortype`. */
  serviceError?: { status: number; type: string; message: string }
  delayMs?: number
}

export type LambdaFunction = (
  payload: ExecutionRequest,
  req: RecordedRequest,
) => LambdaBehaviour | Promise<LambdaBehaviour>

/** Default function: the success result of the request. */
export const echoFunction: LambdaFunction = (payload) => ({ payload: resultFor(payload) })

export interface FakeLambda extends FakeServer {
  /** Functions by name; add or replace them at any time. */
  readonly functions: Map<string, LambdaFunction>
}

const PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?.*)?$/

export async function startLambdaServer(functions: Record<string, LambdaFunction> = {}): Promise<FakeLambda> {
  const table = new Map(Object.entries(functions))
  const fake = await startFakeServer(async (req): Promise<FakeReply> => {
    const m = PATH.exec(req.url)
    if (req.method !== 'POST' || !m)
      return awsError(404, 'UnknownOperationException', `no route ${req.method} ${req.url}`)
    const auth = String(req.headers.authorization ?? '')
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${FAKE_CREDENTIALS.accessKeyId}/`)) {
      return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.')
    }
    const type = req.headers['x-amz-invocation-type'] ?? 'RequestResponse'
    if (type !== 'RequestResponse')
      return awsError(400, 'InvalidParameterValueException', `unexpected invocation type ${type}`)
    const name = decodeURIComponent(m[1])
    const fn = table.get(name)
    if (!fn) return awsError(404, 'ResourceNotFoundException', `Function not found: ${name}`)
    const behaviour = await fn(JSON.parse(req.body) as ExecutionRequest, req)
    const delay = behaviour.delayMs ? { delayMs: behaviour.delayMs } : {}
    if (behaviour.serviceError)
      return {
        ...awsError(behaviour.serviceError.status, behaviour.serviceError.type, behaviour.serviceError.message),
        ...delay,
      }
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' }
    if (behaviour.functionError) headers['x-amz-function-error'] = behaviour.functionError
    return {
      status: 200,
      headers,
      body: behaviour.payload === undefined ? 'null' : JSON.stringify(behaviour.payload),
      ...delay,
    }
  })
  return Object.assign(fake, { functions: table })
}

function awsError(status: number, type: string, message: string): FakeReply {
  return {
    status,
    headers: { 'x-amzn-errortype': type, 'content-type': 'application/json' },
    body: { Type: 'User', message },
  }
}
