/**
 * waddlebot vs Hubot on equivalent work: one `!ping` command plus 1,000 moderation word patterns
 * (Hubot: 1,000 `hear` listeners and a counting adapter, messages fed through `robot.receive`; waddlebot:
 * 1,000 word rules in the string matcher and the built-in !ping, through the full in-process pipeline).
 */
import { pathToFileURL } from 'node:url'
import { Adapter, Robot, TextMessage, User } from 'hubot'
import { inboundEventSchema } from '../src/contract/events.js'
import { builtinCatalog } from '../src/modules/catalog.js'
import routerModule from '../src/modules/router/index.js'
import { startRuntime } from '../src/runtime/host.js'
import { benchProject, round } from './lib/project.js'
import { seedRules } from './router-inprocess.bench.js'

export interface HubotBenchResult {
  ours_mps: number
  hubot_mps: number
  vs_hubot_ratio: number
  hubot_replies: number
  ours_replies: number
}

const RULES = 1000
/** Messages each side handles before the clock starts (the JIT warms up alike for both). */
const WARM_UP = 2000
const message = (i: number) =>
  i % 4 === 0 ? '!ping' : i % 50 === 1 ? `you badword${i % RULES}x` : `just chatting about level ${i % 97} tonight`

class CountingAdapter extends Adapter {
  sent = 0
  override async send(_envelope: unknown, ...strings: string[]) {
    this.sent += strings.length
  }
  override async reply(_envelope: unknown, ...strings: string[]) {
    this.sent += strings.length
  }
  override async run() {
    this.emit('connected')
  }
}

async function hubotRate(total: number): Promise<{ mps: number; replies: number }> {
  process.env.HUBOT_LOG_LEVEL = 'silent'
  let adapter: CountingAdapter | undefined
  const robot = new Robot({ use: (r: unknown) => (adapter = new CountingAdapter(r)) }, false, 'bench')
  await robot.loadAdapter()
  for (let i = 0; i < RULES; i++)
    robot.hear(new RegExp(`\\bbadword${i}x\\b`, 'i'), (res: { send(s: string): void }) => res.send('warn'))
  robot.hear(/^!ping\b/, (res: { send(s: string): void }) => res.send('pong'))
  const user = new User('u1', { name: 'Ann', room: 'general' })
  for (let i = 0; i < WARM_UP; i++) await robot.receive(new TextMessage(user, message(i), `w${i}`))
  adapter!.sent = 0
  const started = performance.now()
  for (let i = 0; i < total; i++) await robot.receive(new TextMessage(user, message(i), `m${i}`))
  const secs = (performance.now() - started) / 1000
  robot.shutdown()
  return { mps: total / secs, replies: adapter?.sent ?? 0 }
}

async function oursRate(total: number): Promise<{ mps: number; replies: number }> {
  const project = benchProject()
  const runtime = await startRuntime({
    catalog: builtinCatalog,
    settings: project.settings,
    modules: ['router'],
    listen: false,
  })
  try {
    await seedRules(runtime.storage, RULES)
    const pipeline = runtime.module(routerModule).ctx.state.pipeline
    await pipeline.index.reload()
    let replies = 0
    const event = (i: number) =>
      inboundEventSchema.parse({
        platform: 'local',
        server_id: 's',
        channel_id: 'general',
        user_id: 'u1',
        user_name: 'Ann',
        message: message(i),
        message_type: 'chatMessage',
      })
    for (let i = 0; i < WARM_UP; i++) await pipeline.process(event(i))
    const started = performance.now()
    for (let i = 0; i < total; i++) replies += (await pipeline.process(event(i))).responses.length
    const secs = (performance.now() - started) / 1000
    await pipeline.executions.flush()
    return { mps: total / secs, replies }
  } finally {
    await runtime.stop()
    project.cleanup()
  }
}

export async function benchVsHubot({ quick }: { quick: boolean }): Promise<HubotBenchResult> {
  const total = quick ? 1_000 : 20_000
  const hubot = await hubotRate(total)
  const ours = await oursRate(total)
  return {
    ours_mps: round(ours.mps, 0),
    hubot_mps: round(hubot.mps, 0),
    vs_hubot_ratio: round(ours.mps / hubot.mps, 2),
    hubot_replies: hubot.replies,
    ours_replies: ours.replies,
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchVsHubot({ quick: process.argv.includes('--quick') })))
}
