import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import {
  browserSourceConfig,
  browserSourceMigrations,
  DEFAULT_GRACE_MS,
  OVERLAY_TYPES,
  overlayUrls,
  TokenStore,
} from '../../modules/browser-source/public.js'
import type { Settings } from '../../runtime/config.js'
import { migrateDatabase } from '../../runtime/database.js'
import { WaddleError } from '../../runtime/errors.js'
import { projectRegistry } from '../../cli/registry.js'

/** The base URL of the printed URLs: `modules.browser-source.public_url`, else the module's URL. */
function baseUrl(settings: Settings): string {
  const parsed = browserSourceConfig.safeParse(settings.modules['browser-source'] ?? {})
  const publicUrl = parsed.success ? parsed.data.public_url : undefined
  return publicUrl ?? projectRegistry(settings).urlOf('browser-source')
}

export default class OverlayUrls extends BaseCommand<typeof OverlayUrls> {
  static override summary = 'Print the OBS browser-source URLs of a community'
  static override description =
    'One URL per overlay (media, ticker, general), creating the tokens on first use. Add each as a Browser source in OBS ' +
    '(1920×1080, or a small corner such as 400×120). --rotate replaces one token; the old URL keeps working for --grace minutes.'
  static override examples = [
    '<%= config.bin %> overlay urls',
    '<%= config.bin %> overlay urls --community my-stream --json',
    '<%= config.bin %> overlay urls --rotate media --grace 0',
  ]
  static override flags = {
    community: Flags.string({ description: 'community id', default: 'default' }),
    json: Flags.boolean({ description: 'print as JSON' }),
    rotate: Flags.string({ description: 'replace the token of this overlay', options: [...OVERLAY_TYPES] }),
    grace: Flags.integer({
      description: 'minutes the rotated-out URL keeps working',
      default: DEFAULT_GRACE_MS / 60_000,
      min: 0,
    }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(OverlayUrls)
    if (flags.community.trim() === '' || flags.community.length > 200) {
      throw new WaddleError('WB_INPUT_INVALID', { field: 'community', reason: 'must be a non-empty id' })
    }
    const settings = this.settings(flags)
    const rotate = flags.rotate as (typeof OVERLAY_TYPES)[number] | undefined
    const urls = await withStorage(settings, async (storage) => {
      await migrateDatabase(storage, [{ module: 'browser-source', migrations: browserSourceMigrations }])
      const tokens = new TokenStore(storage)
      if (rotate) await tokens.rotate(flags.community, rotate, flags.grace * 60_000)
      return overlayUrls(baseUrl(settings), await tokens.ensureTokens(flags.community))
    })
    if (flags.json) {
      return this.log(
        JSON.stringify({
          community_id: flags.community,
          urls,
          ...(rotate ? { rotated: rotate, grace_minutes: flags.grace } : {}),
        }),
      )
    }
    this.log(`Overlay URLs of community ${flags.community} (OBS: Sources → + → Browser, paste the URL, 1920×1080):`)
    for (const type of OVERLAY_TYPES) this.log(`  ${type.padEnd(8)} ${urls[type]}`)
    if (rotate) this.log(`Rotated the ${rotate} token; the old URL keeps working for ${flags.grace} min.`)
    this.log('Keep these URLs private: anyone with one can show your overlay.')
  }
}
