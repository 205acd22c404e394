// The SQLite execution-log writer, on its own thread with its own connection: batches of rows arrive as
// messages and are inserted in one transaction each, so the router's event loop never waits on SQLite.
// Plain JavaScript on purpose: a worker thread does not inherit the main thread's TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'

const db = new Database(workerData.filename)
db.pragma('journal_mode = WAL')
db.pragma('busy_timeout = 5000')
db.pragma('synchronous = NORMAL')
let insertAll
const INSERT = `insert into command_executions (execution_id, command_id, command, module, entity_id, user_id,
  user_name, session_id, message_content, args, trigger, status, response, error_message, execution_time_ms, retry_count,
  created_at, completed_at) values (@execution_id, @command_id, @command, @module, @entity_id, @user_id, @user_name,
  @session_id, @message_content, @args, @trigger, @status, @response, @error_message, @execution_time_ms, 0, @created_at,
  @completed_at) on conflict (execution_id) do nothing`

/** Prepared on first use, so a missing table is reported per batch instead of killing the thread. */
function writer() {
  if (!insertAll) {
    const insert = db.prepare(INSERT)
    insertAll = db.transaction((rows) => {
      for (const row of rows) insert.run(row)
    })
  }
  return insertAll
}

parentPort.on('message', (message) => {
  if (message.close) {
    db.close()
    parentPort.postMessage({ id: message.id, ok: true })
    return
  }
  try {
    writer()(message.rows)
    parentPort.postMessage({ id: message.id, ok: true })
  } catch (error) {
    parentPort.postMessage({
      id: message.id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      code: typeof error?.code === 'string' ? error.code : undefined,
    })
  }
})
