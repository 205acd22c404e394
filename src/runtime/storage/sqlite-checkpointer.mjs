// The SQLite checkpointer, on its own thread with its own connection (sqlite-checkpoints.ts): each message
// asks for one PASSIVE checkpoint (copy the WAL's committed pages into the database file and fsync both),
// which never takes the writer's lock, so the event loop's connection keeps writing meanwhile.
// Plain JavaScript on purpose: a worker thread does not inherit the main thread's TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'

const db = new Database(workerData.filename, { fileMustExist: true })

parentPort.on('message', (message) => {
  if (message.close) {
    db.close()
    parentPort.postMessage({ id: message.id, ok: true })
    return
  }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)')
    parentPort.postMessage({ id: message.id, ok: true, ...result })
  } catch (error) {
    parentPort.postMessage({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) })
  }
})
