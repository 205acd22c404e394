import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { projectRegistry } from '../../cli/registry.js'
import { OVERLAY_TYPES } from '../../modules/browser-source/public.js'
import { WaddleError } from '../../runtime/errors.js'
import { resolveServiceKey } from '../../runtime/service-key.js'

type OverlayType = (typeof OVERLAY_TYPES)[number]

/** What each overlay shows for a test (ten to fifteen seconds, then it clears itself). */
const SAMPLES: Record<OverlayType, Record<string, unknown>> = {
  media: { media_type: 'audio', title: 'Waddle Waltz (overlay test)', artist: 'waddlebot', duration: 15 },
  ticker: { text: 'waddlebot overlay test: the ticker works', duration: 10 },
  general: { content: '<strong>waddlebot</strong> overlay test', duration: 10 },
}

export default class OverlayTest extends BaseCommand<typeof OverlayTest> {
  static override summary = 'Show a sample display on the open overlays (all three types, or the one named)'
  static override description =
    'Sends a sample through browser-source (POST /browser/source/display) to every open overlay of the community and ' +
    'says how many received it. The bot (or `waddlebot run browser-source`) must be running.'
  static override examples = [
    '<%= config.bin %> overlay test',
    '<%= config.bin %> overlay test ticker --community my-stream',
  ]
  static override args = {
    type: Args.string({ description: 'media | ticker | general (default: all three)', options: [...OVERLAY_TYPES] }),
  }
  static override flags = {
    community: Flags.string({ description: 'community id', default: 'default' }),
    json: Flags.boolean({ description: 'print the deliveries as JSON' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(OverlayTest)
    const settings = this.settings(flags)
    const url = projectRegistry(settings).urlOf('browser-source')
    const key = resolveServiceKey(settings)
    const types = args.type ? [args.type as OverlayType] : [...OVERLAY_TYPES]
    const delivered: Record<string, number> = {}
    for (const type of types) {
      let res: Response
      try {
        res = await fetch(`${url}/browser/source/display`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-service-key': key },
          body: JSON.stringify({ community_id: flags.community, type, data: SAMPLES[type] }),
          signal: AbortSignal.timeout(10_000),
        })
      } catch (error) {
        throw new WaddleError(
          'WB_MODULE_UNREACHABLE',
          { module: 'browser-source', url, reason: (error as Error).message },
          { cause: error },
        )
      }
      const body = (await res.json().catch(() => ({}))) as {
        delivered?: number
        error?: { code?: string; message?: string }
      }
      if (res.status === 401 || res.status === 403) throw new WaddleError('WB_AUTH_INVALID')
      if (!res.ok)
        throw new WaddleError('WB_INPUT_INVALID', {
          field: 'community',
          reason: body.error?.message ?? `browser-source answered ${res.status}`,
        })
      delivered[type] = body.delivered ?? 0
    }
    if (flags.json) return this.log(JSON.stringify({ community_id: flags.community, delivered }))
    for (const [type, n] of Object.entries(delivered))
      this.log(`${type.padEnd(8)} shown on ${n} open overlay${n === 1 ? '' : 's'}`)
    if (Object.values(delivered).includes(0))
      this.log('An overlay with 0 is not open: add its URL (`waddlebot overlay urls`) as a Browser source in OBS.')
  }
}
