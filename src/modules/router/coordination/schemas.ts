/** Request bodies of the coordination API: the wire schemas (src/contract/coordination.ts) and their parsing. */
import type { z } from 'zod'
import { describeIssue } from '../../../contract/validate.js'
import { WaddleError } from '../../../runtime/errors.js'

export {
  claimBody,
  containerBody,
  entitiesBody,
  errorBody,
  releaseBody,
  statusBody,
} from '../../../contract/coordination.js'

/** Parses `body` or throws WB_INPUT_INVALID naming the first bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {})
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error)
    throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
  }
  return parsed.data
}
