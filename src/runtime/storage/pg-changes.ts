/**
 * Change counters fed by Postgres `LISTEN`: one dedicated connection (opened on first use) listens on the
 * channels asked for, and each notification bumps that channel's counter. A trigger in the core schema
 * notifies `waddlebot_api_keys` on every change to `api_keys`, whichever process or tool made it.
 *
 * While the connection is not listening (not yet up, lost, reconnecting) `version()` is undefined, so a cache
 * keyed on it asks the database every time; each (re)connection bumps every counter, so nothing remembered
 * across a gap is trusted.
 */
import pg from 'pg'

const RECONNECT_MS = 1000

export interface PgChanges {
  /** The counter of `channel`, or undefined while not listening (callers then read the database). */
  version(channel: string): number | undefined
  close(): Promise<void>
}

export function createPgChanges(connectionString: string): PgChanges {
  const versions = new Map<string, number>()
  const listening = new Set<string>()
  let client: pg.Client | undefined
  let connecting: Promise<void> | undefined
  let retry: NodeJS.Timeout | undefined
  let closed = false

  const bumpAll = () => {
    for (const [channel, v] of versions) versions.set(channel, v + 1)
  }
  const lost = (c: pg.Client) => {
    if (client !== c) return
    client = undefined
    listening.clear()
    bumpAll()
    c.end().catch(() => {})
    if (!closed) retry ??= setTimeout(connect, RECONNECT_MS).unref()
  }
  function connect(): void {
    retry = undefined
    if (closed || connecting) return
    const c = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 })
    c.on('error', () => lost(c))
    c.on('end', () => lost(c))
    c.on('notification', (n) => {
      const v = versions.get(n.channel)
      if (v !== undefined) versions.set(n.channel, v + 1)
    })
    client = c
    connecting = (async () => {
      await c.connect()
      for (const channel of versions.keys()) await listen(c, channel)
    })()
      .catch(() => lost(c))
      .finally(() => {
        connecting = undefined
      })
  }
  const listen = async (c: pg.Client, channel: string) => {
    await c.query(`listen ${pg.escapeIdentifier(channel)}`)
    if (client !== c) return
    versions.set(channel, (versions.get(channel) ?? 0) + 1)
    listening.add(channel)
  }

  return {
    version(channel) {
      if (closed) return undefined
      if (!versions.has(channel)) {
        versions.set(channel, 0)
        if (!client) connect()
        else if (!connecting) {
          const c = client
          listen(c, channel).catch(() => lost(c))
        }
        return undefined
      }
      return listening.has(channel) ? versions.get(channel) : undefined
    },
    async close() {
      closed = true
      clearTimeout(retry)
      const c = client
      client = undefined
      listening.clear()
      await c?.end().catch(() => {})
    },
  }
}
