/** A WebSocket overlay client for tests: collects `{type, data, ts, id}` messages and the close code. */
import WebSocket from 'ws'

export interface OverlayMessage {
  type: string
  // biome-ignore lint/suspicious/noExplicitAny: display data of every overlay type, read by tests
  data: any
  ts: number
  id: string
}

export class OverlayClient {
  readonly messages: OverlayMessage[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  #read = 0
  #waiters: (() => void)[] = []

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      this.messages.push(JSON.parse(raw.toString()) as OverlayMessage)
      for (const wake of this.#waiters.splice(0)) wake()
    })
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
  }

  /** Connects to `url` (ws://…); resolves once the upgrade succeeded. */
  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<OverlayClient> {
    const socket = new WebSocket(url, options)
    const client = new OverlayClient(socket)
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client))
      socket.once('error', reject)
    })
  }

  /** The next unread message (waits up to `timeoutMs`). */
  async next(timeoutMs = 5000): Promise<OverlayMessage> {
    const deadline = Date.now() + timeoutMs
    while (this.#read >= this.messages.length) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no overlay message within ${timeoutMs} ms (got ${JSON.stringify(this.messages)})`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
    return this.messages[this.#read++]!
  }

  /** The next unread message that is not a `hello`. */
  async nextDisplay(timeoutMs = 5000): Promise<OverlayMessage> {
    for (;;) {
      const m = await this.next(timeoutMs)
      if (m.type !== 'hello') return m
    }
  }

  /** Unread messages so far (without waiting). */
  unread(): OverlayMessage[] {
    return this.messages.slice(this.#read)
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return
    this.socket.close()
    await this.closed
  }
}
