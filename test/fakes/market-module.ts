/**
 * A community module as the marketplace sees it, for the fakes (webhook, Lambda, OpenWhisk, container): it
 * answers the marketplace probe with the checksum of its "artifact" and runs its commands with `answer`.
 */
import { createHash } from 'node:crypto'
import type { ExecutionRequest, ExecutionResult } from '../../src/contract/execution.js'
import type { Response } from '../../src/contract/responses.js'

/** `sha256:<hex>` of an artifact's bytes. */
export const checksumOf = (artifact: string): string => `sha256:${createHash('sha256').update(artifact).digest('hex')}`

export function marketModule(
  artifact: string,
  answer: (request: ExecutionRequest) => Response[],
): (request: ExecutionRequest) => ExecutionResult {
  const checksum = checksumOf(artifact)
  return (request) => ({
    execution_id: request.execution_id,
    session_id: request.session_id,
    success: true,
    responses: request.event?.type === 'marketplaceProbe' ? [{ type: 'chat', text: checksum }] : answer(request),
  })
}
