/**
 * Where execution-log batches are written. On a SQLite file the writes happen on a worker thread with its
 * own connection (WAL lets it write beside the main connection), so the hot path never blocks on SQLite;
 * on Postgres (already asynchronous) and in-memory SQLite they go through the storage itself.
 */
import { Worker } from 'node:worker_threads'
import { sql } from '../../runtime/storage/sql.js'
import { sqliteFilename } from '../../runtime/storage/sqlite.js'
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

/**
 * The worker thread (≈ 17 MB: its own V8 isolate and SQLite connection) starts with the first batch, so a
 * bot that has not run a command yet does not hold it.
 */
export function workerWriter(filename: string): ExecutionWriter {
  let worker: Worker | undefined
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>()
  let next = 0
  let dead: Error | undefined
  const fail = (error: Error) => {
    dead ??= error
    for (const p of pending.values()) p.reject(error)
    pending.clear()
  }
  const started = (): Worker => {
    if (worker) return worker
    const w = new Worker(new URL('./execution-log-worker.mjs', import.meta.url), { workerData: { filename } })
    w.unref()
    w.on('message', (m: { id: number; ok: boolean; error?: string; code?: string }) => {
      const p = pending.get(m.id)
      pending.delete(m.id)
      if (pending.size === 0) w.unref()
      if (m.ok) p?.resolve()
      else p?.reject(Object.assign(new Error(m.error ?? 'execution log write failed'), { code: m.code }))
    })
    w.on('error', fail)
    w.on('exit', (code) => fail(new Error(`execution log writer stopped (exit ${code})`)))
    worker = w
    return w
  }
  const call = (message: object) =>
    new Promise<void>((resolve, reject) => {
      if (dead) return reject(dead)
      const w = started()
      const id = next++
      pending.set(id, { resolve, reject })
      w.ref() // keep the process alive until the worker answers
      w.postMessage({ ...message, id })
    })
  return {
    write: (batch) => call({ rows: batch }),
    async close() {
      if (!worker) return
      if (!dead) await call({ close: true }).catch(() => {})
      await worker.terminate()
    },
  }
}

/** The writer for this storage: a worker thread for a SQLite file, the storage itself otherwise. */
export function createExecutionWriter(storage: Storage, databaseUrl: string, cwd: string): ExecutionWriter {
  if (storage.dialect !== 'sqlite') return storageWriter(storage)
  const filename = sqliteFilename(databaseUrl, cwd)
  return filename === ':memory:' ? storageWriter(storage) : workerWriter(filename)
}
