import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { Args, Flags } from '@oclif/core'
import { declaredCommands, withAliasStorage } from '../../cli/alias-session.js'
import { BaseCommand } from '../../cli/base-command.js'
import {
  addAlias,
  commandOwner,
  editAlias,
  getAlias,
  notifyAliasesChanged,
  parseImport,
} from '../../modules/alias/public.js'
import { WaddleError } from '../../runtime/errors.js'

export default class AliasImport extends BaseCommand<typeof AliasImport> {
  static override summary = 'Import custom commands from a CSV or JSON file'
  static override description =
    'CSV: name,response per line (a "name,response" header is skipped; quote a response holding commas). JSON: a list of ' +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: StreamElements' variable syntax, in help text
    '{name, response} (or command/message). Nightbot $(user) and StreamElements ${user} variables are translated; a line ' +
    'with one that has no equivalent, a bad or taken name, or an existing custom command (without --replace) stops the ' +
    'import with its line number, and nothing is imported. See docs/alias.md#importing.'
  static override examples = [
    '<%= config.bin %> alias import nightbot.csv',
    '<%= config.bin %> alias import commands.json --community my-stream --replace',
  ]
  static override args = { file: Args.string({ description: 'a .csv or .json file', required: true }) }
  static override flags = {
    community: Flags.string({ description: 'community id', default: 'default' }),
    format: Flags.string({ description: 'file format (default: from the extension)', options: ['csv', 'json'] }),
    replace: Flags.boolean({ description: 'overwrite the text of custom commands that already exist' }),
    json: Flags.boolean({ description: 'print the result as JSON' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AliasImport)
    const settings = this.settings(flags)
    let text: string
    try {
      text = readFileSync(args.file, 'utf8')
    } catch (error) {
      throw new WaddleError('WB_INPUT_INVALID', {
        field: 'file',
        reason: (error as Error).message.split('\n')[0] ?? '',
      })
    }
    const file = basename(args.file)
    const json = (flags.format ?? (args.file.toLowerCase().endsWith('.json') ? 'json' : 'csv')) === 'json'
    const parsed = parseImport(text, json)
    if (!parsed.ok) throw new WaddleError('WB_ALIAS_IMPORT_INVALID', { file, line: parsed.line, reason: parsed.reason })
    const declared = await declaredCommands(settings)
    const counts = await withAliasStorage(settings, async (db) => {
      for (const l of parsed.lines) {
        const owner = declared.get(l.name) ?? (await commandOwner(db, l.name))
        if (owner)
          throw new WaddleError('WB_ALIAS_IMPORT_INVALID', {
            file,
            line: l.line,
            reason: `!${l.name} is a command of the ${owner} module`,
          })
        if (!flags.replace && (await getAlias(db, flags.community, l.name)))
          throw new WaddleError('WB_ALIAS_IMPORT_INVALID', {
            file,
            line: l.line,
            reason: `!${l.name} exists already (--replace overwrites it)`,
          })
      }
      return db.transaction(async (tx) => {
        let added = 0
        let replaced = 0
        for (const l of parsed.lines) {
          const done = await addAlias(
            tx,
            flags.community,
            { name: l.name, response: l.response, created_by: 'import' },
            declared,
          )
          if (done.ok) added++
          else if (
            done.reason === 'taken' &&
            (await editAlias(tx, flags.community, l.name, { response: l.response })).ok
          )
            replaced++
          else throw new WaddleError('WB_ALIAS_IMPORT_INVALID', { file, line: l.line, reason: done.message })
        }
        return { added, replaced }
      })
    })
    await notifyAliasesChanged(settings, flags.community)
    if (flags.json) return this.log(JSON.stringify({ community_id: flags.community, ...counts }))
    this.log(
      `Imported ${counts.added + counts.replaced} custom commands into community ${flags.community} (${counts.added} added, ${counts.replaced} replaced).`,
    )
  }
}
