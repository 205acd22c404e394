/**
 * The live view: the router's monitoring stream (`GET /api/v1/stream`, the one `waddlebot dashboard` reads),
 * read with the service key and passed on to a logged-in browser as Server-Sent Events `event`, one per
 * processed chat event, filtered to the community's entities (every community for a platform admin).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { WaddleError } from '../../../runtime/errors.js'
import { resolveServiceKey } from '../../../runtime/service-key.js'
import { entitiesOf } from '../../community/public.js'
import type { Handlers, HubContext } from './register.js'

interface Processed {
  time: number
  platform: string
  entity_id: string
  channel_id: string
  user: string
  message_type: string
  command?: string
  outcome: string
  latency_ms: number
}

const PING_MS = 15_000

async function pipe(ctx: HubContext, req: FastifyRequest, reply: FastifyReply, community: { id: string } | undefined) {
  if (!ctx.modules.runnable().includes('router'))
    throw new WaddleError('WB_MODULE_UNREACHABLE', {
      module: 'router',
      url: ctx.modules.url('router'),
      reason: 'not enabled',
    })
  const entities = community
    ? new Map((await entitiesOf(ctx.storage, community.id)).map((e) => [e.entity_id, community.id]))
    : undefined
  const abort = new AbortController()
  let upstream: Response
  try {
    upstream = await fetch(`${ctx.modules.url('router')}/api/v1/stream`, {
      headers: { 'x-service-key': resolveServiceKey(ctx.settings), accept: 'text/event-stream' },
      signal: abort.signal,
    })
  } catch (error) {
    throw new WaddleError('WB_MODULE_UNREACHABLE', {
      module: 'router',
      url: ctx.modules.url('router'),
      reason: (error as Error).message,
    })
  }
  if (!upstream.ok || !upstream.body) {
    abort.abort()
    throw new WaddleError('WB_MODULE_UNREACHABLE', {
      module: 'router',
      url: ctx.modules.url('router'),
      reason: `stream answered ${upstream.status}`,
    })
  }
  reply.hijack()
  const res = reply.raw
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  })
  res.write('retry: 2000\n\n')
  const ping = setInterval(() => res.write(': ping\n\n'), PING_MS)
  const end = () => {
    clearInterval(ping)
    abort.abort()
    res.end()
  }
  req.raw.once('close', end)
  const send = (s: Processed) => {
    const owner = entities ? entities.get(s.entity_id) : undefined
    if (entities && owner === undefined) return
    if (res.writableLength > 1024 * 1024) return end()
    const data = {
      kind: 'event',
      community: owner ?? null,
      platform: s.platform,
      entity_id: s.entity_id,
      channel: s.channel_id,
      user: s.user,
      message_type: s.message_type,
      command: s.command ?? null,
      text: s.command ? (/^[!#]/.test(s.command) ? s.command : `!${s.command}`) : null,
      outcome: s.outcome,
      latency_ms: s.latency_ms,
      at: s.time,
    }
    res.write(`event: event\ndata: ${JSON.stringify(data)}\n\n`)
  }
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      let cut = buffer.indexOf('\n\n')
      while (cut >= 0) {
        const block = buffer.slice(0, cut)
        buffer = buffer.slice(cut + 2)
        cut = buffer.indexOf('\n\n')
        const event = /^event: (.+)$/m.exec(block)?.[1]
        const data = /^data: (.+)$/m.exec(block)?.[1]
        if (event === 'processed' && data) {
          try {
            send(JSON.parse(data) as Processed)
          } catch {}
        }
      }
    }
  } catch {
    // the browser left (abort) or the router stopped: either way the stream ends
  } finally {
    end()
  }
}

export function streamHandlers(ctx: HubContext): Handlers {
  return {
    'GET /api/v1/communities/:community/stream': ({ req, reply, caller }) => pipe(ctx, req, reply, caller.community),
    'GET /api/v1/platform/stream': ({ req, reply }) => pipe(ctx, req, reply, undefined),
  }
}
