import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { WaddleError } from '../../runtime/errors.js'
import { communityOf, settingsFor, withRouterStorage } from '../../cli/router-filters.js'
import { everyFilterOn, listRules, parseChatLog, replayChatLog, replayFilters } from '../../modules/router/public.js'

export default class ModerationTest extends BaseCommand<typeof ModerationTest> {
  static override summary =
    'Dry run: replay a saved chat log against the rules and spam filters; count hits per rule and filter'
  static override description =
    'One message per line; `user: message` and `[hh:mm:ss] user: message` lines are understood. Nothing is sent. ' +
    "Without --entity every enabled rule is tested whatever its scope; with it, global rules and that entity's, as the router does. " +
    'Spam filters are those in force for the entity (or the default community); --all-filters switches every one on.'
  static override args = { file: Args.string({ description: 'the chat log (text file)', required: true }) }
  static override flags = {
    entity: Flags.string({ description: 'replay as this entity (platform:server:channel)' }),
    'all-filters': Flags.boolean({ description: 'test with every spam filter on (their thresholds as configured)' }),
    json: Flags.boolean({ description: 'print the report as JSON' }),
  }
  static override examples = [
    '<%= config.bin %> moderation test ./chat.log',
    '<%= config.bin %> moderation test ./chat.log --entity twitch:123:123 --json',
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ModerationTest)
    const settings = this.settings(flags)
    const path = resolve(args.file)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      throw new WaddleError('WB_INPUT_INVALID', {
        field: 'file',
        reason: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      })
    }
    const { rules, filters } = await withRouterStorage(settings, async (db) => {
      const community = flags.entity ? await communityOf(db, flags.entity) : 'default'
      return {
        rules: await listRules(db, { enabledOnly: true }),
        filters: await settingsFor(db, community, flags.entity),
      }
    })
    const lines = parseChatLog(text)
    const report = replayChatLog(rules, lines, flags.entity)
    const filterReport = replayFilters(flags['all-filters'] ? everyFilterOn(filters.settings) : filters, lines)
    if (flags.json) return this.log(JSON.stringify({ ...report, ...filterReport }))
    this.log(`${report.lines} lines, ${report.lines_with_hits} with a hit (dry run: nothing was sent).`)
    if (report.rules.length === 0) this.log('No enabled rules in scope.')
    else this.log(`${'id'.padStart(5)}  ${'hits'.padStart(6)}  ${'action'.padEnd(8)} ${'type'.padEnd(8)} pattern`)
    for (const r of report.rules) {
      this.log(
        `${String(r.id).padStart(5)}  ${String(r.hits).padStart(6)}  ${r.action.padEnd(8)} ${r.match_type.padEnd(8)} ${JSON.stringify(r.pattern)}`,
      )
    }
    for (const s of report.skipped) this.log(`rule ${s.id} skipped: ${s.reason}`)
    const on = filterReport.filters.filter((x) => x.enabled)
    if (on.length === 0) return this.log('No spam filters on (try --all-filters).')
    this.log(`${filterReport.lines_with_filter_hits} lines with a spam-filter hit.`)
    this.log(`${'filter'.padEnd(14)} ${'hits'.padStart(6)}`)
    for (const x of on) this.log(`${x.filter.padEnd(14)} ${String(x.hits).padStart(6)}`)
  }
}
