/**
 * Whisper responses (CONTRACT §9): the router hands each one to the collector of the event's platform
 * (`POST /<platform>/whisper`, collectors/core/whisper-route.ts) before answering, so a refusal ("no verified
 * phone") lands in the execution log and the reply's `error`. Delivered or not, whispers are taken out of the
 * responses the collector gets back (it must not post them in the channel). On `local` they stay: the chat
 * console prints them.
 */
import type { ExecutionResponse, Response } from '../../contract/responses.js'
import type { ModuleClients } from '../../runtime/module-clients.js'

/** The responses left for the collector, and why a whisper was not delivered (undefined when all were). */
export interface WhisperOutcome<R = Response> {
  readonly responses: R[]
  readonly error?: string
}

/** Why the collector refused, from its coded error body (or the HTTP status). */
async function refusal(res: globalThis.Response): Promise<string> {
  const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined
  return body?.error?.message ?? `the ${res.url} answered ${res.status}`
}

/** Delivers the whispers of `responses` on `platform`; never throws. */
export async function deliverWhispers<R extends Response | ExecutionResponse>(
  modules: ModuleClients,
  platform: string,
  responses: readonly R[],
): Promise<WhisperOutcome<R>> {
  if (platform === 'local' || !responses.some((r) => r.type === 'whisper')) return { responses: [...responses] }
  const rest: R[] = []
  const errors: string[] = []
  for (const r of responses) {
    if (r.type !== 'whisper') {
      rest.push(r)
      continue
    }
    if (!modules.runnable().includes(platform)) {
      errors.push(`whisper to ${r.to_user_id} not delivered: no ${platform} collector runs in this bot`)
      continue
    }
    try {
      const res = await modules.request(platform, `/${platform}/whisper`, {
        body: { to_user_id: r.to_user_id, text: r.text },
        timeoutMs: 10_000,
      })
      if (!res.ok) errors.push(await refusal(res))
      else await res.body?.cancel()
    } catch (error) {
      errors.push(`whisper to ${r.to_user_id} not delivered: ${(error as Error).message}`)
    }
  }
  return errors.length > 0 ? { responses: rest, error: errors.join('; ') } : { responses: rest }
}
