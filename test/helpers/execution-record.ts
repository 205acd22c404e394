/** An execution-log row for tests of the log itself: `x<n>` / `s<n>` ids, a `!ping` that succeeded. */
import type { ExecutionRecord } from '../../src/modules/router/execution-log.js'

export function executionRecord(n: number, over: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    execution_id: `x${n}`,
    command_id: '1',
    command: '!ping',
    module: 'router',
    entity_id: 'local:s:c',
    user_id: 'u',
    user_name: 'ann',
    session_id: `s${n}`,
    message_content: '!ping',
    args: '[]',
    trigger: 'command',
    status: 'success',
    response: null,
    error_message: null,
    execution_time_ms: 1,
    created_at: 0,
    completed_at: 0,
    ...over,
  }
}
