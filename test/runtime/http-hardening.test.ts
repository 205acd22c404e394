/**
 * Issue 12 (5): slow and abusive clients on a real module server (the router, listening on its port):
 * a slow body is cut off by the request timeout, a missing key is refused before the body arrives, and the
 * HTTP layer's refusals (414, 415, `__proto__`) are in the documented error shape.
 */
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { sqliteBackend } from '../helpers/backends.js'
import { chatEvent, type RouterFixture, startRouterFixture } from '../helpers/router-runtime.js'

const TIMEOUT_MS = 1500

/** Opens a raw connection to the router and collects what it answers until the server closes it. */
function rawClient(port: number): { socket: Socket; closed: Promise<{ text: string; at: number }> } {
  const socket = connect(port, '127.0.0.1')
  let text = ''
  socket.on('data', (d) => {
    text += d.toString('utf8')
  })
  socket.on('error', () => {})
  const closed = new Promise<{ text: string; at: number }>((resolve) =>
    socket.on('close', () => resolve({ text, at: performance.now() })),
  )
  return { socket, closed }
}

function head(path: string, headers: Record<string, string | number>): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`
}

describe('slow and abusive clients', () => {
  let f: RouterFixture
  let port: number
  before(async () => {
    f = await startRouterFixture(sqliteBackend(), {
      listen: true,
      env: { WADDLEBOT_HTTP_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS), WADDLEBOT_HTTP_HEADERS_TIMEOUT_MS: '1000' },
    })
    port = 8000 + f.offset
  })
  after(() => f.close())

  test('a body sent one byte at a time is cut off with 408 WB_REQUEST_TIMEOUT after the configured timeout', async (t) => {
    const { socket, closed } = rawClient(port)
    const started = performance.now()
    socket.write(
      head('/api/v1/events', {
        'content-type': 'application/json',
        'content-length': 200,
        'x-api-key': f.keys.collector,
      }),
    )
    let sent = 0
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write('{'.slice(0, 1))
      sent++
    }, 400)
    const { text, at } = await closed
    clearInterval(drip)
    const elapsed = Math.round(at - started)
    t.diagnostic(`cut off after ${elapsed} ms (timeout ${TIMEOUT_MS} ms, ${sent} bytes sent of 200)`)
    assert.match(text, /^HTTP\/1\.1 408 /)
    assert.match(text, /"code":"WB_REQUEST_TIMEOUT"/)
    assert.ok(sent < 200, 'the server closed the connection before the client finished its body')
  })

  test('without a key the request is refused from its headers, before its body arrives', async () => {
    const { socket, closed } = rawClient(port)
    socket.write(head('/api/v1/events', { 'content-type': 'application/json', 'content-length': 5000 }))
    socket.write('{"pla')
    const answered = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString('utf8'))))
    const first = await answered
    assert.match(first, /^HTTP\/1\.1 401 /)
    assert.match(first, /"code":"WB_AUTH_REQUIRED"/)
    socket.destroy()
    await closed
  })

  test('a 3,000-character path segment is 414 WB_URL_TOO_LONG', async () => {
    const res = await f.runtime.hosted
      .find((h) => h.def.name === 'router')!
      .app.inject({
        method: 'DELETE',
        url: `/api/v1/admin/commands/bang/${'x'.repeat(3000)}`,
        headers: { 'x-api-key': f.keys.admin },
      })
    assert.equal(res.statusCode, 414)
    assert.equal(res.json().error.code, 'WB_URL_TOO_LONG')
    assert.ok(res.json().error.hint)
  })

  test('text/plain is 415 WB_MEDIA_TYPE_UNSUPPORTED with an HTTP hint, not a CLI one', async () => {
    const app = f.runtime.hosted.find((h) => h.def.name === 'router')!.app
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: 'hello',
      headers: { 'content-type': 'text/plain', 'x-api-key': f.keys.collector },
    })
    assert.equal(res.statusCode, 415)
    assert.equal(res.json().error.code, 'WB_MEDIA_TYPE_UNSUPPORTED')
    assert.match(res.json().error.message, /text\/plain/)
    assert.doesNotMatch(res.json().error.hint, /--help/)
  })

  test('a body with __proto__ gets its own message; malformed JSON says so', async () => {
    const app = f.runtime.hosted.find((h) => h.def.name === 'router')!.app
    const send = (payload: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/events',
        payload,
        headers: { 'content-type': 'application/json', 'x-api-key': f.keys.collector },
      })
    const proto = await send(JSON.stringify(chatEvent('!ping')).replace('{', '{"__proto__":{"admin":true},'))
    assert.equal(proto.statusCode, 400)
    assert.equal(proto.json().error.field, 'body')
    assert.match(proto.json().error.message, /__proto__/)
    const escaped = await send('{"\\u005f_proto__":{"x":1},"platform":"local"}')
    assert.match(escaped.json().error.message, /__proto__/)
    const broken = await send('{"platform":')
    assert.equal(broken.statusCode, 400)
    assert.match(broken.json().error.message, /not valid JSON/)
    const fine = await send(
      JSON.stringify(chatEvent('!ping', { metadata: { note: 'a "__proto__" in a string is fine' } })),
    )
    assert.equal(fine.statusCode, 200)
  })
})
