/**
 * Calls another module's REST API with the service key (in this process or another: ctx.modules.request), and
 * relays its answer: a 2xx body is returned, anything else is answered with the module's own status and error.
 */
import { WaddleError } from '../../../runtime/errors.js'
import type { HubContext } from './register.js'

export class Relayed extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`module answered ${status}`)
  }
}

/** A module's JSON answer (shaped by that module's docs). */
// biome-ignore lint/suspicious/noExplicitAny: module answers are JSON, shaped by the module's own docs
type ModuleJson = any

export async function forward(
  ctx: HubContext,
  module: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ModuleJson> {
  if (!ctx.modules.runnable().includes(module))
    throw new WaddleError('WB_MODULE_UNREACHABLE', {
      module,
      url: ctx.modules.url(module),
      reason: 'not enabled in this bot',
    })
  const res = await ctx.modules.request(module, path, {
    method,
    ...(body === undefined ? {} : { body }),
    timeoutMs: 5000,
  })
  const text = await res.text()
  const json: unknown = text ? JSON.parse(text) : {}
  if (!res.ok) throw new Relayed(res.status, json)
  return json
}

export const q = (params: Record<string, string | number | undefined>): string => {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.set(k, String(v))
  return u.toString()
}
