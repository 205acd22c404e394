import { createInterface } from 'node:readline'
import { Flags } from '@oclif/core'
import { WaddleError } from '../runtime/errors.js'
import { BaseCommand } from '../cli/base-command.js'
import { followPushed, formatResponse, routerIsUp, sendLine } from '../cli/chat-client.js'
import { ROLES, type Role } from '../contract/events.js'
import { startRuntime } from '../runtime/host.js'
import { createLogger } from '../runtime/logger.js'
import { builtinCatalog, projectRegistry } from '../cli/registry.js'
import { readServiceKey, resolveServiceKey } from '../runtime/service-key.js'

export default class Chat extends BaseCommand<typeof Chat> {
  static override summary = 'Talk to the bot from this terminal (the `local` platform)'
  static override description =
    'Sends each line as a chat message to the router and prints every response (chat, overlay, moderation), and the messages the bot posts to the channel on its own while the session is open (reminders, timers). Reads stdin line by line when piped. When no bot is running, one is started inside this process.'
  static override flags = {
    user: Flags.string({ char: 'u', description: 'your chat name', default: 'you' }),
    role: Flags.string({
      char: 'r',
      description: 'a platform role to hold (repeatable)',
      options: [...ROLES],
      multiple: true,
    }),
    channel: Flags.string({ description: 'local channel id', default: 'console' }),
    url: Flags.string({ description: 'router URL (default: the local router on its port)' }),
    key: Flags.string({ description: 'API key (default: WADDLEBOT_API_KEY, else the local service key)' }),
  }
  static override examples = [
    '<%= config.bin %> chat',
    "printf '!ping\\n!help\\n' | <%= config.bin %> chat",
    '<%= config.bin %> chat --user Mod --role moderator',
  ]

  async run(): Promise<void> {
    const { flags } = await this.parse(Chat)
    const settings = this.settings(flags)
    if (settings.platforms.local?.enabled === false)
      throw new WaddleError('WB_PLATFORM_DISABLED', {
        platform: 'local',
        file: settings.configFile ?? 'waddlebot.yaml',
      })
    const url = (flags.url ?? projectRegistry(settings).urlOf('router')).replace(/\/$/, '')
    let stop: (() => Promise<void>) | undefined
    if (!flags.url && !(await routerIsUp(url))) {
      process.stderr.write(`(no bot answering at ${url}: starting one in this process)\n`)
      const runtime = await startRuntime({
        settings,
        catalog: builtinCatalog,
        log: createLogger({ level: 'warn', destination: process.stderr }),
      })
      stop = () => runtime.stop()
    }
    const key =
      flags.key ||
      settings.env.WADDLEBOT_API_KEY ||
      (flags.url ? readServiceKey(settings) : resolveServiceKey(settings))
    const who = { user: flags.user, roles: (flags.role ?? []) as Role[], channel: flags.channel }
    const tty = Boolean(process.stdin.isTTY)
    // Followed before stdin is read: lines a pipe delivers meanwhile would otherwise be lost.
    let onPushed: () => void = () => {}
    const pushed = await followPushed(url, key, `local:local:${who.channel}`, (responses) => {
      for (const r of responses) this.log(tty ? `bot> ${formatResponse(r)}` : formatResponse(r))
      onPushed()
    })
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty, prompt: `${who.user}> ` })
    if (tty) onPushed = () => rl.prompt(true)
    if (tty) {
      this.log(`Connected to ${url} as ${who.user}. Type !help; Ctrl-D to leave.`)
      rl.prompt()
    }
    try {
      for await (const line of rl) {
        const text = line.trim()
        if (text) {
          try {
            const result = await sendLine(url, key, who, text)
            for (const r of result.responses) this.log(tty ? `bot> ${formatResponse(r)}` : formatResponse(r))
          } catch (error) {
            process.stderr.write(`error: ${(error as Error).message}\n`)
            process.exitCode = 1
          }
        }
        if (tty) rl.prompt()
      }
    } finally {
      pushed?.close()
      await stop?.()
    }
  }
}
