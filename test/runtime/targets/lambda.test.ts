import assert from 'node:assert/strict'
import { after, beforeEach, describe, test } from 'node:test'
import { WaddleError } from '../../../src/runtime/errors.js'
import { TimeoutError } from '../../../src/runtime/module-clients.js'
import { createLambdaTarget, type LambdaTargetOptions } from '../../../src/runtime/targets/lambda.js'
import type { PolicyTarget } from '../../../src/runtime/targets/policy.js'
import { echoFunction, FAKE_CREDENTIALS, type FakeLambda, startLambdaServer } from '../../fakes/lambda-server.js'
import { closedPort, makeRequest, resultFor } from '../../fakes/webhook-server.js'

const code = (e: unknown) => (e instanceof WaddleError ? e.code : (e as Error).name)

describe('lambda target', () => {
  let aws: FakeLambda
  const open: PolicyTarget[] = []
  const target = (options: Partial<LambdaTargetOptions> = {}) => {
    const t = createLambdaTarget({
      functionName: 'greet',
      region: 'eu-west-1',
      endpoint: aws.url,
      credentials: FAKE_CREDENTIALS,
      policy: { timeoutMs: 30_000, backoffMs: 1 },
      ...options,
    })
    open.push(t)
    return t
  }

  // A fresh fake per test: a request aborted by one test may still arrive late, and must not count in the next.
  beforeEach(async () => {
    await aws?.close()
    aws = await startLambdaServer({ greet: echoFunction })
  })
  after(async () => {
    await Promise.all(open.map((t) => t.close()))
    await aws.close()
  })

  test('invokes the function (RequestResponse, signed, the request as Payload) and returns its result', async () => {
    const t = target({ module: 'cloud' })
    const request = makeRequest('#forecast')
    assert.deepEqual(await t.execute(request), resultFor(request))
    const [req] = aws.requests
    assert.equal(req.method, 'POST')
    assert.equal(req.url, '/2015-03-31/functions/greet/invocations')
    assert.equal(req.headers['x-amz-invocation-type'], 'RequestResponse')
    assert.match(
      String(req.headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIAFAKETESTKEY00000\/\d{8}\/eu-west-1\/lambda\/aws4_request/,
    )
    assert.deepEqual(JSON.parse(req.body), request)
    assert.equal(t.location, 'lambda:greet@eu-west-1')
    assert.equal(t.module, 'cloud')
  })

  test('a function that returned its result as a JSON string is unwrapped', async () => {
    aws.functions.set('greet', (p) => ({ payload: JSON.stringify(resultFor(p, 'from a string')) }))
    const result = await target().execute(makeRequest())
    assert.deepEqual(result.responses, [{ type: 'chat', text: 'from a string' }])
  })

  test('a FunctionError is a failed result with the error message, not retried', async () => {
    aws.functions.set('greet', () => ({
      functionError: 'Unhandled',
      payload: { errorType: 'TypeError', errorMessage: 'x is undefined', trace: [] },
    }))
    const request = makeRequest()
    const result = await target().execute(request)
    assert.equal(result.success, false)
    assert.equal(result.execution_id, request.execution_id)
    assert.deepEqual(result.responses, [])
    assert.equal(result.error, 'lambda function error (Unhandled): TypeError: x is undefined')
    assert.equal(aws.requests.length, 1)
  })

  test('an unknown function or rejected credentials: WB_TARGET_FAILED naming the AWS error, tried once', async () => {
    await assert.rejects(
      target({ functionName: 'nope' }).execute(makeRequest()),
      (e: unknown) =>
        code(e) === 'WB_TARGET_FAILED' &&
        /ResourceNotFoundException \(404\): Function not found: nope/.test((e as Error).message),
    )
    await assert.rejects(
      target({ credentials: { accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' } }).execute(makeRequest()),
      /UnrecognizedClientException \(403\)/,
    )
    assert.equal(aws.requests.length, 2)
  })

  test('a payload that is not a result, or a reply for another session, is rejected', async () => {
    aws.functions.set('greet', () => ({ payload: { hello: 'world' } }))
    await assert.rejects(target().execute(makeRequest()), /invalid reply/)
    aws.functions.set('greet', (p) => ({ payload: { ...resultFor(p), session_id: 'stolen' } }))
    await assert.rejects(target().execute(makeRequest()), (e: unknown) => code(e) === 'WB_EXECUTION_SESSION_MISMATCH')
  })

  test('timeout: TimeoutError while the function still runs, not retried', async () => {
    aws.functions.set('greet', (p) => ({ payload: resultFor(p), delayMs: 10_000 }))
    const answered = aws.answered
    const retried: number[] = []
    const t = target({ policy: { onRetry: ({ retry }) => void retried.push(retry) } })
    await assert.rejects(
      t.execute(makeRequest(), { timeoutMs: 150 }),
      (e: unknown) => e instanceof TimeoutError && e.ms === 150,
    )
    assert.equal(aws.answered, answered)
    assert.deepEqual(retried, [])
    assert.ok(aws.requests.length <= 1)
  })

  test('a 503 service error is retried (the SDK itself never retries), then succeeds', async () => {
    let n = 0
    aws.functions.set('greet', (p) =>
      ++n === 1
        ? { serviceError: { status: 503, type: 'ServiceException', message: 'busy' } }
        : { payload: resultFor(p) },
    )
    const retries: number[] = []
    const t = target({ policy: { timeoutMs: 30_000, backoffMs: 1, onRetry: ({ retry }) => void retries.push(retry) } })
    assert.equal((await t.execute(makeRequest())).success, true)
    assert.equal(aws.requests.length, 2)
    assert.deepEqual(retries, [1])
  })

  test('connection refused is retried twice, then fails', async () => {
    const retries: string[] = []
    const t = target({
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      policy: { timeoutMs: 30_000, backoffMs: 1, onRetry: ({ error }) => void retries.push(error.message) },
    })
    await assert.rejects(t.execute(makeRequest()), /unreachable: ECONNREFUSED/)
    assert.equal(retries.length, 2)
  })

  test('the breaker opens after 5 failed invocations and fails fast', async () => {
    const t = target({ functionName: 'missing', policy: { timeoutMs: 30_000, retries: 0 } })
    for (let i = 0; i < 5; i++) await assert.rejects(t.execute(makeRequest()), /ResourceNotFoundException/)
    await assert.rejects(t.execute(makeRequest()), (e: unknown) => code(e) === 'WB_TARGET_CIRCUIT_OPEN')
    assert.equal(aws.requests.length, 5)
  })
})
