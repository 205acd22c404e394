/**
 * The marketplace probe: before a version is published, and again before a community installs it, the
 * module's target gets one execution in the ONE shape (CONTRACT §4.2) with `trigger: "event"` and
 * `event: {type: "marketplaceProbe", data: {module, version, checksum}}`. A healthy target answers
 * `success: true` with one chat response whose text is the sha256 of the artifact it runs (`sha256:<hex>`).
 * No answer, a failure, or another checksum refuses the publish/install with the reason.
 */
import { randomUUID } from 'node:crypto'
import type { ExecutionRequest } from '../../contract/execution.js'
import { WaddleError } from '../../runtime/errors.js'
import { createTarget } from '../../runtime/targets/index.js'
import { MARKET_MODULE_PREFIX } from '../router/public.js'
import type { ModuleManifest } from './schema.js'

export type Env = Readonly<Record<string, string | undefined>>

/** Checks that `manifest`'s target answers and runs what the checksum says; throws the refusal otherwise. */
export async function probeTarget(manifest: ModuleManifest, env: Env, communityId = ''): Promise<void> {
  const module = `${MARKET_MODULE_PREFIX}${manifest.name}`
  const target = createTarget(
    {
      target_type: manifest.target.type,
      location_url: manifest.target.location,
      module,
      name: manifest.commands[0]!.name.slice(1),
      timeout_ms: manifest.target.timeout_ms,
    },
    {
      modules: {
        get: () => {
          throw new Error('marketplace targets are never modules')
        },
      },
      env,
      policy: { retries: 0, timeoutMs: manifest.target.timeout_ms },
    },
  )
  const request: ExecutionRequest = {
    execution_id: randomUUID(),
    session_id: randomUUID(),
    command: manifest.commands[0]!.name,
    args: [],
    raw_message: '',
    trigger: 'event',
    user: { id: 'marketplace', name: 'marketplace', roles: [] },
    entity: {
      id: 'marketplace:probe:probe',
      platform: 'marketplace',
      server_id: 'probe',
      channel_id: 'probe',
      community_id: communityId,
    },
    event: {
      type: 'marketplaceProbe',
      data: { module: manifest.name, version: manifest.version, checksum: manifest.checksum },
    },
  }
  const refuse = (reason: string) =>
    new WaddleError('WB_MARKET_TARGET_FAILED', { module: manifest.name, version: manifest.version, reason })
  let reported: string | undefined
  try {
    const result = await target.execute(request, { timeoutMs: manifest.target.timeout_ms })
    if (!result.success) throw refuse(`the target answered the probe with an error: ${result.error ?? 'failed'}`)
    const first = result.responses[0]
    reported = first?.type === 'chat' ? first.text.trim() : undefined
  } catch (error) {
    if (error instanceof WaddleError && error.code === 'WB_MARKET_TARGET_FAILED') throw error
    throw refuse(`the target did not pass its health check: ${(error as Error).message}`)
  } finally {
    await target.close?.()
  }
  if (!reported || !/^sha256:[0-9a-f]{64}$/.test(reported))
    throw refuse('the target did not report a checksum (answer the probe with one chat line sha256:<hex>)')
  if (reported !== manifest.checksum)
    throw new WaddleError('WB_MARKET_CHECKSUM_MISMATCH', {
      module: manifest.name,
      version: manifest.version,
      declared: manifest.checksum,
      reported,
    })
}
