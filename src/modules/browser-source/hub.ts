/**
 * The connected overlays of this process and the fan-out between processes. A display is delivered to the
 * sockets of this process directly; with Redis it is also published on `overlay:display`, and every OTHER
 * browser-source process delivers it to its own sockets (a process ignores what it published itself), so each
 * socket gets each display exactly once. A heartbeat drops dead sockets and closes (4404) those whose token
 * was rotated out and whose grace period has ended.
 */
import { randomUUID } from 'node:crypto'
import type { WebSocket } from 'ws'
import type { Cache, Unsubscribe } from '../../runtime/cache/types.js'
import type { Logger } from '../../runtime/logger.js'
import { overlayConnections } from '../../runtime/metrics.js'
import type { OverlayMessage } from './state.js'
import type { OverlayType, TokenStore } from './tokens.js'

/** The pub/sub channel displays travel on between browser-source processes. */
export const DISPLAY_CHANNEL = 'overlay:display'
/** Close code sent when a token is unknown or no longer valid. */
export const CLOSE_UNKNOWN_TOKEN = 4404
/** Close code sent when this process already serves its maximum number of overlays. */
export const CLOSE_TOO_MANY = 1013
/** A socket with more than this much unsent data is skipped (a stuck overlay must not grow memory). */
const MAX_BUFFERED = 4 * 1024 * 1024

/** Who a socket is. */
export interface Connection {
  readonly communityId: string
  readonly type: OverlayType
  readonly token: string
}

interface Meta extends Connection {
  alive: boolean
  /** Live displays held back until the socket has been sent the current state (see `ready`). */
  backlog: { id: string; text: string }[] | undefined
}

interface Published {
  readonly origin: string
  readonly community_id: string
  readonly message: OverlayMessage & { type: OverlayType }
}

export interface HubOptions {
  readonly maxConnections: number
  /** Interval of pings and token re-checks; 0 disables the timer (tests call `heartbeat()`). */
  readonly heartbeatMs: number
}

/** Registry of connected overlay sockets and the cross-process fan-out. */
export class SocketHub {
  /** Identifies this process's publications. */
  readonly instanceId = randomUUID()
  readonly #groups = new Map<string, Set<WebSocket>>()
  readonly #meta = new Map<WebSocket, Meta>()
  #pongs = 0
  #unsubscribe: Unsubscribe | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(
    private readonly cache: Cache,
    private readonly tokens: TokenStore,
    private readonly log: Logger,
    private readonly options: HubOptions,
  ) {}

  /** Subscribes to other processes' displays (Redis only) and starts the heartbeat. */
  async start(): Promise<void> {
    if (this.cache.kind === 'redis') {
      this.#unsubscribe = await this.cache.subscribe(DISPLAY_CHANNEL, (raw) => {
        const msg = raw as Published
        if (!msg || msg.origin === this.instanceId) return
        this.deliverLocal(msg.community_id, msg.message)
      })
    }
    if (this.options.heartbeatMs > 0) {
      this.#timer = setInterval(
        () => void this.heartbeat().catch((err) => this.log.warn({ err }, 'overlay heartbeat failed')),
        this.options.heartbeatMs,
      )
      this.#timer.unref()
    }
  }

  /** Stops the heartbeat and the subscription, and drops every socket still connected. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.#unsubscribe?.()
    for (const socket of this.#meta.keys()) socket.terminate()
    await new Promise((r) => setImmediate(r))
  }

  /** Sockets connected to this process (optionally one community and type). */
  count(communityId?: string, type?: OverlayType): number {
    if (communityId === undefined) return this.#meta.size
    if (type !== undefined) return this.#groups.get(groupKey(communityId, type))?.size ?? 0
    let n = 0
    for (const c of this.#meta.values()) if (c.communityId === communityId) n++
    return n
  }

  /** Pongs received since start (heartbeat answers). */
  get pongs(): number {
    return this.#pongs
  }

  /**
   * Registers a socket; false (and the socket closed 1013) when this process is full. Displays for it are held
   * back until `ready()` has sent it the current state, so a state read racing a live display never arrives
   * after (and overrides) the newer live one.
   */
  add(socket: WebSocket, connection: Connection): boolean {
    if (this.#meta.size >= this.options.maxConnections) {
      socket.close(CLOSE_TOO_MANY, 'too many overlays connected')
      return false
    }
    const key = groupKey(connection.communityId, connection.type)
    const group = this.#groups.get(key) ?? new Set<WebSocket>()
    this.#groups.set(key, group)
    group.add(socket)
    this.#meta.set(socket, { ...connection, alive: true, backlog: [] })
    overlayConnections.inc({ type: connection.type })
    socket.on('pong', () => {
      this.#pongs++
      const meta = this.#meta.get(socket)
      if (meta) meta.alive = true
    })
    socket.once('close', () => this.remove(socket))
    return true
  }

  /** Sends `state` (oldest first), then the displays held back since `add`, skipping those already in `state`. */
  ready(socket: WebSocket, state: readonly OverlayMessage[]): void {
    const meta = this.#meta.get(socket)
    if (!meta) return
    for (const message of state) sendText(socket, JSON.stringify(message))
    const backlog = meta.backlog ?? []
    meta.backlog = undefined
    const sent = new Set(state.map((m) => m.id))
    for (const held of backlog) if (!sent.has(held.id)) sendText(socket, held.text)
  }

  /** Forgets a socket (called on close). */
  remove(socket: WebSocket): void {
    const meta = this.#meta.get(socket)
    if (!meta) return
    this.#meta.delete(socket)
    overlayConnections.dec({ type: meta.type })
    const key = groupKey(meta.communityId, meta.type)
    const group = this.#groups.get(key)
    group?.delete(socket)
    if (group?.size === 0) this.#groups.delete(key)
  }

  /** Delivers to this process's sockets and publishes for the others; resolves to the local delivery count. */
  async display(communityId: string, message: OverlayMessage & { type: OverlayType }): Promise<number> {
    const delivered = this.deliverLocal(communityId, message)
    if (this.cache.kind === 'redis') {
      await this.cache.publish(DISPLAY_CHANNEL, {
        origin: this.instanceId,
        community_id: communityId,
        message,
      } satisfies Published)
    }
    return delivered
  }

  /** Sends `message` to every open socket of the community and type in this process; returns how many. */
  deliverLocal(communityId: string, message: OverlayMessage & { type: OverlayType }): number {
    const group = this.#groups.get(groupKey(communityId, message.type))
    if (!group) return 0
    const text = JSON.stringify(message)
    const frame = Buffer.from(text) // encoded once for every socket
    let n = 0
    for (const socket of group) {
      const backlog = this.#meta.get(socket)?.backlog
      if (backlog) {
        backlog.push({ id: message.id, text })
        n++
      } else if (sendText(socket, frame)) {
        n++
      }
    }
    return n
  }

  /** Pings every socket (terminating those that missed the last ping) and closes rotated-out tokens; returns how many were terminated. */
  async heartbeat(): Promise<number> {
    let terminated = 0
    for (const [socket, meta] of this.#meta) {
      if (!meta.alive) {
        socket.terminate()
        this.remove(socket)
        terminated++
        continue
      }
      meta.alive = false
      try {
        socket.ping()
      } catch {
        socket.terminate()
        this.remove(socket)
      }
    }
    await this.sweepTokens()
    return terminated
  }

  /** Closes with 4404 every socket whose token no longer resolves to its community and type. */
  async sweepTokens(): Promise<number> {
    const byToken = new Map<string, WebSocket[]>()
    for (const [socket, meta] of this.#meta) byToken.set(meta.token, [...(byToken.get(meta.token) ?? []), socket])
    let closed = 0
    for (const [token, sockets] of byToken) {
      const grant = await this.tokens.resolve(token)
      const meta = this.#meta.get(sockets[0]!)
      if (grant && meta && grant.communityId === meta.communityId && grant.type === meta.type) continue
      for (const socket of sockets) {
        socket.close(CLOSE_UNKNOWN_TOKEN, 'overlay token expired')
        this.remove(socket)
        closed++
      }
    }
    return closed
  }
}

function groupKey(communityId: string, type: OverlayType): string {
  return `${type}\u0000${communityId}`
}

/** Sends a text frame (a string, or its UTF-8 bytes) to an open socket that is keeping up; true when sent. */
export function sendText(socket: WebSocket, text: string | Buffer): boolean {
  if (socket.readyState !== 1 || socket.bufferedAmount > MAX_BUFFERED) return false
  socket.send(text, { binary: false })
  return true
}
