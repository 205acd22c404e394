import { BaseCommand } from '../../cli/base-command.js'
import { hostUntilSignal } from '../../cli/host-process.js'
import { logFormatFlag, withLogFormat } from '../../cli/log-format-flag.js'
import { projectRegistry } from '../../cli/registry.js'
import { WaddleError } from '../../runtime/errors.js'

export default class Hub extends BaseCommand<typeof Hub> {
  static override summary = 'Serve the hub (web UI) on 8060 and print its URL'
  static override description =
    'When a hub already answers on its port (`waddlebot start` serves it too), prints its URL and exits. ' +
    'Otherwise hosts the hub alone in this process until Ctrl-C; the other modules are reached at their URLs. ' +
    'First admin: `waddlebot hub admin create <user>`; a one-time password: `waddlebot hub temp-password <user>`.'
  static override flags = { 'log-format': logFormatFlag }
  static override examples = ['<%= config.bin %> hub']

  async run(): Promise<void> {
    const { flags } = await this.parse(Hub)
    const settings = withLogFormat(this.settings(flags), flags['log-format'])
    const entry = projectRegistry(settings).get('hub')
    if (!entry?.available) throw new WaddleError('WB_MODULE_NOT_AVAILABLE', { module: 'hub' })
    const configured = settings.modules.hub?.url
    const host = settings.bind === '0.0.0.0' ? '127.0.0.1' : settings.bind
    const url = (configured ?? `http://${host}:${8060 + settings.portOffset}`).replace(/\/$/, '')
    const running = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1500) })
      .then(async (r) => ((await r.json()) as { module?: string }).module === 'hub')
      .catch(() => false)
    if (running) return this.log(`The hub is already served at ${url}/`)
    this.log(`Serving the hub at ${url}/`)
    await hostUntilSignal(settings, ['hub'], (line) => this.log(line))
  }
}
