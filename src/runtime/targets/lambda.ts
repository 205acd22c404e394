/**
 * AWS Lambda target: `InvokeCommand` (RequestResponse) with the ExecutionRequest JSON as Payload; the
 * returned Payload is the ExecutionResult. A FunctionError (the function threw or timed out inside Lambda) is
 * a failed result carrying its message. The SDK never retries (maxAttempts 1): our policy does, and only
 * where Lambda cannot have run the function. The SDK (large) is loaded on first use, outside the call's deadline.
 */
import type { InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda'
import type { ExecutionRequest } from '../../contract/execution.js'
import { errorCode, RETRYABLE_NETWORK_CODES, RETRYABLE_STATUSES } from './http.js'
import { type PolicyOptions, type PolicyTarget, withPolicy } from './policy.js'
import { failedResult, TargetFailure } from './types.js'

export interface LambdaCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface LambdaTargetOptions {
  /** Function name, name:alias or ARN. */
  functionName: string
  region: string
  /** Custom endpoint (LocalStack, a fake in tests); default: the region's AWS endpoint. */
  endpoint?: string
  /** Static credentials; default: the SDK's provider chain (AWS_ACCESS_KEY_ID…, ~/.aws, instance role). */
  credentials?: LambdaCredentials
  /** Module name reported by the target (default `lambda`). */
  module?: string
  policy?: PolicyOptions
}

/** An ExecutionTarget for one Lambda function. */
export function createLambdaTarget(options: LambdaTargetOptions): PolicyTarget {
  if (!options.functionName) throw new TypeError('lambda target needs a function name')
  const location = `lambda:${options.functionName}@${options.region}`
  let client:
    | Promise<{ client: LambdaClient; invoke: typeof import('@aws-sdk/client-lambda').InvokeCommand }>
    | undefined
  const load = () => {
    client ??= import('@aws-sdk/client-lambda').then((sdk) => ({
      client: new sdk.LambdaClient({
        region: options.region,
        maxAttempts: 1,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      }),
      invoke: sdk.InvokeCommand,
    }))
    return client
  }
  return withPolicy(
    {
      transport: 'lambda',
      module: options.module ?? 'lambda',
      location,
      prepare: load,
      close: async () => {
        if (client) (await client).client.destroy()
      },
    },
    async (request, signal) => {
      const { client: lambda, invoke } = await load()
      let out: InvokeCommandOutput
      try {
        const command = new invoke({
          FunctionName: options.functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(request)),
        })
        out = await lambda.send(command, { abortSignal: signal })
      } catch (error) {
        if (signal.aborted) throw error
        throw classify(location, error)
      }
      const text = out.Payload ? new TextDecoder().decode(out.Payload) : ''
      if (out.FunctionError) return functionError(request, out.FunctionError, text)
      return parsePayload(location, text)
    },
    options.policy,
  )
}

/** SDK error → TargetFailure: retryable for connection refused / DNS and 502/503/504 service answers. */
function classify(target: string, error: unknown): TargetFailure {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }
  const status = e.$metadata?.httpStatusCode
  const code = errorCode(error)
  if (code && RETRYABLE_NETWORK_CODES.has(code))
    return new TargetFailure(target, `unreachable: ${code}`, true, { cause: error })
  const retryable = status !== undefined && RETRYABLE_STATUSES.has(status)
  const reason = `${e.name ?? 'Error'}${status ? ` (${status})` : ''}: ${e.message ?? String(error)}`
  return new TargetFailure(target, reason, retryable, { cause: error })
}

function functionError(request: ExecutionRequest, kind: string, text: string) {
  let message = text.slice(0, 200)
  try {
    const body = JSON.parse(text) as { errorMessage?: unknown; errorType?: unknown }
    if (typeof body.errorMessage === 'string')
      message = typeof body.errorType === 'string' ? `${body.errorType}: ${body.errorMessage}` : body.errorMessage
  } catch {
    // not JSON: keep the text
  }
  return failedResult(request, `lambda function error (${kind}): ${message}`)
}

/** The Payload as JSON; a function that returned its result as a JSON string is unwrapped once. */
function parsePayload(target: string, text: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
    if (typeof value === 'string') value = JSON.parse(value)
  } catch {
    throw new TargetFailure(target, `returned a payload that is not JSON: ${text.slice(0, 100)}`, false)
  }
  return value
}
