/**
 * labels' public face for other modules: `LabelsClient` (over `ctx.modules.request`, so it works whether
 * labels runs in this process or elsewhere), the wire types, and the labels other modules rely on.
 */
import type { ModuleClients } from '../../runtime/module-clients.js'
import type { LabelApply, LabelCheck, Target } from './schemas.js'

export {
  LABEL_PATTERN,
  type LabelApply,
  type LabelCheck,
  type Target,
  TARGET_TYPES,
  type TargetType,
  userTargetId,
} from './schemas.js'
export type { LabelRow, SearchHit } from './store.js'
export { labelsMigrations } from './migrations.js'

/** Labels other modules check: calendar auto-approval, who may write memories, guest VIPs. */
export const KNOWN_LABELS = ['event-autoapprove', 'memories', 'vip-guest'] as const

export class LabelsClientError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`labels answered ${status}: ${JSON.stringify(body)?.slice(0, 200)}`)
  }
}

/** Calls the labels module's REST API with the service key. Rejects on a non-2xx answer or no answer. */
export class LabelsClient {
  constructor(
    private readonly modules: ModuleClients,
    private readonly timeoutMs = 2000,
  ) {}

  async #call(path: string, method: string, body?: unknown): Promise<unknown> {
    const res = await this.modules.request('labels', path, {
      method,
      ...(body === undefined ? {} : { body }),
      timeoutMs: this.timeoutMs,
    })
    const text = await res.text()
    const parsed: unknown = text ? JSON.parse(text) : undefined
    if (!res.ok) throw new LabelsClientError(res.status, parsed)
    return parsed
  }

  /** True when the target carries `label` (not expired). */
  async has(q: LabelCheck): Promise<boolean> {
    return ((await this.#call('/api/v1/labels/check', 'POST', q)) as { has: boolean }).has
  }

  /** Adds (or renews) a label; rejects with status 409 (WB_LABEL_LIMIT) when the target is at its limit. */
  async apply(input: LabelApply): Promise<{ created: boolean }> {
    return (await this.#call('/api/v1/labels', 'POST', input)) as { created: boolean }
  }

  /** Removes a label; false when the target did not have it. */
  async remove(q: LabelCheck): Promise<boolean> {
    try {
      await this.#call('/api/v1/labels', 'DELETE', q)
      return true
    } catch (error) {
      if (error instanceof LabelsClientError && error.status === 404) return false
      throw error
    }
  }

  /** The target's labels (names), not expired. */
  async list(t: Target): Promise<string[]> {
    const q = new URLSearchParams({ community_id: t.community_id, target_type: t.target_type, target_id: t.target_id })
    const out = (await this.#call(`/api/v1/labels?${q}`, 'GET')) as { labels: { label: string }[] }
    return out.labels.map((l) => l.label)
  }
}
