import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { callHttp, HttpTimeoutError } from '../../src/runtime/http-call.js'

let server: Server
let base: string
const sockets = new Set<unknown>()

before(async () => {
  server = createServer((req, res) => {
    sockets.add(req.socket)
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => {
      body += c
    })
    req.on('end', () => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000)
      if (req.url === '/cut') {
        res.writeHead(200, { 'content-length': '100' })
        res.write('partial')
        return void setTimeout(() => req.socket.destroy(), 20)
      }
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({ method: req.method, key: req.headers['x-key'], body, length: req.headers['content-length'] }),
      )
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => {
  server.closeAllConnections()
  server.close()
})

test('sends the body with its byte length and headers, and reads the whole answer whatever its status', async () => {
  const body = JSON.stringify({ text: 'héllo 👋' })
  const ok = await callHttp(`${base}/echo`, { method: 'POST', headers: { 'x-key': 'k1' }, body, timeoutMs: 2000 })
  assert.equal(ok.status, 200)
  assert.deepEqual(JSON.parse(ok.text), {
    method: 'POST',
    key: 'k1',
    body,
    length: String(Buffer.byteLength(body)),
  })
  const missing = await callHttp(`${base}/missing`, { method: 'GET', headers: {}, timeoutMs: 2000 })
  assert.equal(missing.status, 404)
})

test('keeps the connection alive between requests', async () => {
  sockets.clear()
  for (let i = 0; i < 5; i++) await callHttp(`${base}/echo`, { method: 'GET', headers: {}, timeoutMs: 2000 })
  assert.equal(sockets.size, 1)
})

test('a request without a complete answer in time fails with HttpTimeoutError', async () => {
  await assert.rejects(
    callHttp(`${base}/slow`, { method: 'GET', headers: {}, timeoutMs: 100 }),
    (e: unknown) => e instanceof HttpTimeoutError && e.name === 'TimeoutError' && /within 100 ms/.test(e.message),
  )
})

test('a connection cut in the middle of the answer, or refused, rejects', async () => {
  await assert.rejects(callHttp(`${base}/cut`, { method: 'GET', headers: {}, timeoutMs: 2000 }))
  const closed = createServer()
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
  const port = (closed.address() as AddressInfo).port
  await new Promise((r) => closed.close(r))
  await assert.rejects(callHttp(`http://127.0.0.1:${port}/`, { method: 'GET', headers: {}, timeoutMs: 2000 }), {
    code: 'ECONNREFUSED',
  })
})
