/*
 * Shared by every overlay page (inlined by browser-source): the WebSocket back to the URL the page was
 * loaded from, reconnecting with exponential backoff (0.5 s doubling to 30 s, with jitter; 5 min after a
 * 4404 = token rotated out), duplicate suppression by message id, and the server clock offset.
 * The connection state is mirrored on <html data-connection="connecting|open|closed|rejected"> and the time
 * of the last successful connect (epoch ms) on data-connected-at.
 */
window.WB = (() => {
  const seen = new Set()
  const order = []
  let offset = 0

  const remember = (id) => {
    seen.add(id)
    order.push(id)
    if (order.length > 500) seen.delete(order.shift())
  }

  const setState = (state) => {
    document.documentElement.dataset.connection = state
  }

  /** Connects and calls onMessage({type, data, ts, id}) for every new display. */
  const connect = (onMessage) => {
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${location.pathname}`
    let delay = 500
    let openedAt = 0
    const open = () => {
      setState('connecting')
      let ws
      try {
        ws = new WebSocket(url)
      } catch {
        setTimeout(open, delay)
        return
      }
      ws.onopen = () => {
        openedAt = Date.now()
        document.documentElement.dataset.connectedAt = String(openedAt)
        setState('open')
      }
      ws.onmessage = (event) => {
        let msg
        try {
          msg = JSON.parse(event.data)
        } catch {
          return
        }
        if (!msg || typeof msg.type !== 'string') return
        if (msg.type === 'hello') {
          if (msg.data && typeof msg.data.server_time === 'number') offset = msg.data.server_time - Date.now()
          return
        }
        if (msg.id) {
          if (seen.has(msg.id)) return
          remember(msg.id)
        }
        try {
          onMessage(msg)
        } catch (error) {
          console.error('overlay: could not show', msg, error)
        }
      }
      ws.onclose = (event) => {
        const rejected = event.code === 4404
        setState(rejected ? 'rejected' : 'closed')
        if (openedAt && Date.now() - openedAt > 10000) delay = 500
        openedAt = 0
        const wait = rejected ? 300000 : delay
        delay = Math.min(delay * 2, 30000)
        setTimeout(open, wait * (0.8 + Math.random() * 0.4))
      }
    }
    open()
  }

  /** The server's clock (ms), so progress does not depend on this machine's clock. */
  const now = () => Date.now() + offset

  /** Formats seconds as m:ss (or h:mm:ss). */
  const clock = (seconds) => {
    const s = Math.max(0, Math.floor(seconds))
    const h = Math.floor(s / 3600)
    const m = Math.floor((s % 3600) / 60)
    const ss = String(s % 60).padStart(2, '0')
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
  }

  return { connect, now, clock }
})()
