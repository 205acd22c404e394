/**
 * Where execution-log batches are written: on SQLite one prepared INSERT per row, in one transaction on the
 * storage's connection; on Postgres one INSERT … SELECT FROM unnest() per batch.
 */
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import type { ExecutionRecord } from './execution-log.js'

export interface ExecutionWriter {
  write(batch: readonly ExecutionRecord[]): Promise<void>
  close(): Promise<void>
}

/** Rows per INSERT statement (18 parameters each; well under both databases' parameter limits). */
const ROWS_PER_INSERT = 200

/**
 * Postgres: the whole batch as one INSERT … SELECT FROM unnest() of one array per column, 17 parameters
 * whatever the batch size. The multi-row VALUES form bound 18 parameters per row (36,000 for a batch of
 * 2,000), each a fragment object before the driver serialized it: garbage collection was a third of the
 * Postgres + Redis pipeline's CPU (docs/performance.md).
 */
async function writePostgres(storage: Storage, batch: readonly ExecutionRecord[]): Promise<void> {
  const column = <K extends keyof ExecutionRecord>(key: K) => batch.map((r) => r[key])
  await storage.execute(sql`insert into command_executions (execution_id, command_id, command, module, entity_id, user_id,
      user_name, session_id, message_content, args, trigger, status, response, error_message, execution_time_ms, retry_count,
      created_at, completed_at)
    select e, c::bigint, cmd, m, ent, u, un, s, msg, a, t, st, r, err, ms, 0, ca, co
    from unnest(${column('execution_id')}::text[], ${column('command_id')}::text[], ${column('command')}::text[],
      ${column('module')}::text[], ${column('entity_id')}::text[], ${column('user_id')}::text[], ${column('user_name')}::text[],
      ${column('session_id')}::text[], ${column('message_content')}::text[], ${column('args')}::text[],
      ${column('trigger')}::text[], ${column('status')}::text[], ${column('response')}::text[],
      ${column('error_message')}::text[], ${column('execution_time_ms')}::double precision[],
      ${column('created_at')}::bigint[], ${column('completed_at')}::bigint[])
      as x(e, c, cmd, m, ent, u, un, s, msg, a, t, st, r, err, ms, ca, co)
    on conflict (execution_id) do nothing`)
}

export function storageWriter(storage: Storage): ExecutionWriter {
  return {
    async write(batch) {
      // One statement is one transaction on Postgres (a batch commits whole or not at all).
      if (storage.dialect === 'postgres') return writePostgres(storage, batch)
      // One multi-row INSERT per chunk: on Postgres, one round trip instead of one per row. A row already
      // there is skipped: a batch whose commit reached the database but whose answer was lost (the
      // connection dropped at that moment) is written again, and must not fail on its own rows for ever.
      await storage.transaction(async (tx) => {
        for (let i = 0; i < batch.length; i += ROWS_PER_INSERT) {
          const rows = batch.slice(i, i + ROWS_PER_INSERT).map(
            (r) => sql`(${r.execution_id}, ${r.command_id}, ${r.command}, ${r.module},
            ${r.entity_id}, ${r.user_id}, ${r.user_name}, ${r.session_id}, ${r.message_content}, ${r.args}, ${r.trigger}, ${r.status},
            ${r.response}, ${r.error_message}, ${r.execution_time_ms}, 0, ${r.created_at}, ${r.completed_at})`,
          )
          await tx.execute(sql`insert into command_executions (execution_id, command_id, command, module, entity_id, user_id,
              user_name, session_id, message_content, args, trigger, status, response, error_message, execution_time_ms, retry_count,
              created_at, completed_at)
            values ${sql.join(rows)}
            on conflict (execution_id) do nothing`)
        }
      })
    },
    async close() {},
  }
}

/** One row's INSERT, run once per row of a batch (named parameters: the record's own fields). */
const INSERT_ONE = `insert into command_executions (execution_id, command_id, command, module, entity_id, user_id,
  user_name, session_id, message_content, args, trigger, status, response, error_message, execution_time_ms, retry_count,
  created_at, completed_at) values (@execution_id, @command_id, @command, @module, @entity_id, @user_id, @user_name,
  @session_id, @message_content, @args, @trigger, @status, @response, @error_message, @execution_time_ms, 0, @created_at,
  @completed_at) on conflict (execution_id) do nothing`

/**
 * SQLite: the batch as one prepared INSERT per row in one transaction on the storage's own connection
 * (`storage.runBatch`), on the event loop. It replaced a worker thread with a connection of its own: two
 * thread hand-offs per batch (there and back), each waiting for a core on a busy machine, cost more at p99
 * than the ≈ 60 µs a batch of four takes here; the WAL's checkpoints, the slow part, run on a thread of their
 * own (sqlite-checkpoints.ts) (docs/performance.md).
 */
export function batchWriter(runBatch: NonNullable<Storage['runBatch']>): ExecutionWriter {
  return {
    write: (batch) => runBatch(INSERT_ONE, batch),
    async close() {},
  }
}

/** The writer for this storage: its batch path on SQLite, one statement per batch otherwise. */
export function createExecutionWriter(storage: Storage): ExecutionWriter {
  const runBatch = storage.runBatch
  return runBatch ? batchWriter(runBatch) : storageWriter(storage)
}
