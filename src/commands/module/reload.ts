import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { projectRegistry } from '../../cli/registry.js'
import { WaddleError } from '../../runtime/errors.js'
import { resolveServiceKey } from '../../runtime/service-key.js'

export default class ModuleReload extends BaseCommand<typeof ModuleReload> {
  static override summary = 'Reload a project module in the running bot, from its files, without a restart'
  static override description =
    'Asks the running router (POST /api/v1/modules/<name>/reload, with the service key) to load the module again: ' +
    'its teardown, then the new setup, its commands registered again. Other modules and the platform connections ' +
    'stay up. A version that fails to load is refused and the previous one keeps running. `waddlebot dev` does the ' +
    'same on every save.'
  static override examples = ['<%= config.bin %> module reload greeter']
  static override args = { name: Args.string({ description: 'the module to reload', required: true }) }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ModuleReload)
    const settings = this.settings(flags)
    const url = projectRegistry(settings).urlOf('router')
    let res: Response
    try {
      res = await fetch(`${url}/api/v1/modules/${encodeURIComponent(args.name)}/reload`, {
        method: 'POST',
        headers: { 'x-service-key': resolveServiceKey(settings) },
        signal: AbortSignal.timeout(30_000),
      })
    } catch (error) {
      throw new WaddleError(
        'WB_MODULE_UNREACHABLE',
        { module: 'router', url, reason: (error as Error).message },
        { cause: error },
      )
    }
    const body = (await res.json().catch(() => ({}))) as {
      module?: string
      commands?: string[]
      error?: { code?: string; message?: string }
    }
    if (res.status === 401 || res.status === 403) throw new WaddleError('WB_AUTH_INVALID')
    if (body.error?.code === 'WB_MODULE_UNKNOWN') throw new WaddleError('WB_MODULE_UNKNOWN', { module: args.name })
    if (!res.ok) {
      const reason = (body.error?.message ?? `the router answered ${res.status}`).replace(
        /^module \S+ was not reloaded: /,
        '',
      )
      throw new WaddleError('WB_MODULE_RELOAD_FAILED', { module: args.name, reason })
    }
    this.log(`Reloaded ${body.module} (${body.commands?.join(' ') || 'no commands'})`)
  }
}
