/**
 * fastify's request logger is made on the request's first log line at an enabled level (request-logger.ts):
 * a request that logs nothing makes no pino child, and one that logs gets its request id and the redaction.
 */
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import Fastify, { LogController } from 'fastify'
import { createLogger } from '../../src/runtime/logger.js'
import { lazyRequestLogger } from '../../src/runtime/request-logger.js'

async function server(level: string) {
  const out = new PassThrough()
  const lines: Record<string, unknown>[] = []
  out.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line))
  })
  const log = createLogger({ level, destination: out })
  let children = 0
  const child = log.child.bind(log)
  log.child = ((...args: Parameters<typeof child>) => {
    children++
    return child(...args)
  }) as typeof log.child
  const app = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
  })
  app.get('/quiet', async () => ({ ok: true }))
  app.get('/talks', async (req) => {
    req.log.info({ token: 'hunter2', n: 1 }, 'said')
    req.log.debug('not at this level')
    return { ok: true }
  })
  app.get('/fails', async () => {
    throw new Error('boom')
  })
  app.setErrorHandler((err, _req, reply) => {
    reply.log.error({ err }, 'request failed') // as src/runtime/http.ts does
    void reply.code(500).send({ error: 'x' })
  })
  await app.ready()
  children = 0 // fastify's own, at start
  return { app, lines, children: () => children }
}

test('a request that logs nothing makes no child logger', async () => {
  const s = await server('info')
  for (let i = 0; i < 5; i++) assert.equal((await s.app.inject({ url: '/quiet' })).statusCode, 200)
  assert.equal(s.children(), 0)
  await s.app.close()
})

test('a request that logs gets its request id, and secrets are still redacted', async () => {
  const s = await server('info')
  await s.app.inject({ url: '/talks' })
  assert.equal(s.children(), 1)
  const said = s.lines.find((l) => l.msg === 'said')
  assert.ok(said, 'the line is written')
  assert.match(String(said.reqId), /^req-/)
  assert.equal(said.token, '[redacted]')
  assert.equal(said.n, 1)
  assert.ok(!s.lines.some((l) => l.msg === 'not at this level'))
  await s.app.inject({ url: '/fails' })
  await new Promise((r) => setImmediate(r))
  assert.ok(
    s.lines.some((l) => l.level === 50 && typeof l.reqId === 'string'),
    'the error line has the request id',
  )
  await s.app.close()
})

test('a line below the level makes no child logger', async () => {
  const s = await server('warn')
  await s.app.inject({ url: '/talks' })
  assert.equal(s.children(), 0)
  assert.equal(s.lines.length, 0)
  await s.app.close()
})
