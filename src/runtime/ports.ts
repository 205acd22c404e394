/** `WADDLEBOT_PORT_OFFSET` as a number (0 when unset); throws on garbage. Module ports live in their manifests. */
import { WaddleError } from './errors.js'

export function portOffsetFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WADDLEBOT_PORT_OFFSET
  if (raw === undefined || raw === '') return 0
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0 || n > 50_000) {
    throw new WaddleError('WB_CONFIG_INVALID', {
      key: 'WADDLEBOT_PORT_OFFSET',
      reason: `must be an integer between 0 and 50000, got ${raw}`,
      file: 'the environment',
    })
  }
  return n
}
