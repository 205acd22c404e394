import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { monitorTargetOf } from '../cli/monitor-client.js'
import { liveSource } from '../tui/source.js'

export default class DashboardCommand extends BaseCommand<typeof DashboardCommand> {
  static override summary =
    'Live monitoring in the terminal: events/s, module health, the live feed, overlays and claims'
  static override description =
    'Connects to the local router by default (its port and the local service key), or to --url with --key (an admin key). Keys: q quit, tab switch pane, ↑/↓ scroll, / filter the feed (Enter applies, Esc clears), p pause. When the router does not answer, the dashboard says so and retries.'
  static override flags = {
    url: Flags.string({ description: 'router URL (default: the local router on its port)' }),
    key: Flags.string({ description: 'admin API key (default: WADDLEBOT_API_KEY, else the local service key)' }),
    interval: Flags.integer({ description: 'stats refresh in milliseconds', default: 1000, min: 200 }),
  }
  static override examples = [
    '<%= config.bin %> dashboard',
    '<%= config.bin %> dashboard --url http://bot.example:8000 --key wbot_admin_…',
  ]

  async run(): Promise<void> {
    const { flags } = await this.parse(DashboardCommand)
    const settings = this.settings(flags)
    const { url, key } = monitorTargetOf(settings, flags)
    // ink and React load only here: every other command (oclif loads them all to list flags) stays light.
    const [{ render }, { createElement }, { Dashboard }] = await Promise.all([
      import('ink'),
      import('react'),
      import('../tui/dashboard.js'),
    ])
    const source = liveSource({ url, key, statsIntervalMs: flags.interval })
    const fullScreen = Boolean(process.stdout.isTTY)
    if (fullScreen) process.stdout.write('\x1b[?1049h\x1b[H') // the alternate screen, like top(1)
    const app = render(createElement(Dashboard, { source }), { exitOnCtrlC: true })
    const quit = () => app.unmount()
    process.once('SIGTERM', quit)
    try {
      await app.waitUntilExit()
    } finally {
      process.off('SIGTERM', quit)
      if (fullScreen) process.stdout.write('\x1b[?1049l')
    }
  }
}
