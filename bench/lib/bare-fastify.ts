/**
 * The HTTP baseline in a process of its own: a bare fastify POST echo that parses the event, looks its command
 * up in a Map and replies. In the bench's process its p99 was the bench's garbage collections (the router's
 * runs leave a large heap behind), not fastify's. Prints `PORT <n>`; exits when its parent disconnects.
 */
import Fastify from 'fastify'

const bare = Fastify()
const commands = new Map([['!ping', 'router']])
bare.post('/api/v1/events', async (req) => {
  const e = req.body as { message?: string }
  const found = e.message?.startsWith('!') ? commands.get(e.message.split(' ')[0]!) : undefined
  return { outcome: found ? 'command' : 'ignored', responses: found ? [{ type: 'chat', text: 'pong' }] : [] }
})
await bare.listen({ host: '127.0.0.1', port: 0 })
process.send?.(`PORT ${(bare.server.address() as { port: number }).port}`)
process.on('disconnect', () => void bare.close().then(() => process.exit(0)))
