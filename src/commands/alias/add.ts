import { Args, Flags } from '@oclif/core'
import { declaredCommands, withAliasStorage } from '../../cli/alias-session.js'
import { BaseCommand } from '../../cli/base-command.js'
import { addAlias, describeAlias, notifyAliasesChanged } from '../../modules/alias/public.js'
import { PERMISSION_LEVELS } from '../../runtime/module.js'
import { WaddleError } from '../../runtime/errors.js'

export default class AliasAdd extends BaseCommand<typeof AliasAdd> {
  static override summary = 'Add a custom command'
  static override description =
    'Variables: {user} {touser} {arg1}…{argN} {args} {count} {random:a|b|c} {random.number:1-100} {time} {time:<zone>} ' +
    '{uptime} {channel}. A text starting with !command runs that command as the caller. See docs/alias.md.'
  static override examples = [
    '<%= config.bin %> alias add hi "Hello {user}!"',
    '<%= config.bin %> alias add deaths "Deaths so far: {count}" --permission moderator',
    '<%= config.bin %> alias add so "!shoutout {touser}" --cooldown 30',
  ]
  static override args = {
    name: Args.string({
      description: 'the command word, 1–32 of a-z 0-9 _ - (a leading ! is dropped)',
      required: true,
    }),
    response: Args.string({ description: 'the text, or a !command line', required: true }),
  }
  static override flags = {
    community: Flags.string({ description: 'community id', default: 'default' }),
    permission: Flags.string({ description: 'lowest role that may use it', options: [...PERMISSION_LEVELS] }),
    cooldown: Flags.integer({ description: 'seconds between two uses (anyone)', min: 0, max: 86_400 }),
    'user-cooldown': Flags.integer({ description: 'seconds between two uses by one user', min: 0, max: 86_400 }),
    disabled: Flags.boolean({ description: 'add it switched off' }),
    json: Flags.boolean({ description: 'print the custom command as JSON' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AliasAdd)
    const settings = this.settings(flags)
    const declared = await declaredCommands(settings)
    const outcome = await withAliasStorage(settings, (db) =>
      addAlias(
        db,
        flags.community,
        {
          name: args.name,
          response: args.response,
          created_by: 'cli',
          ...(flags.permission ? { permission_level: flags.permission } : {}),
          ...(flags.cooldown !== undefined ? { cooldown_ms: flags.cooldown * 1000 } : {}),
          ...(flags['user-cooldown'] !== undefined ? { user_cooldown_ms: flags['user-cooldown'] * 1000 } : {}),
          ...(flags.disabled ? { enabled: false } : {}),
        },
        declared,
      ),
    )
    if (!outcome.ok) {
      if (outcome.reason === 'invalid')
        throw new WaddleError('WB_INPUT_INVALID', { field: 'alias', reason: outcome.message })
      throw new WaddleError('WB_ALIAS_CONFLICT', {
        name: args.name.replace(/^!/, '').toLowerCase(),
        reason: outcome.message,
      })
    }
    await notifyAliasesChanged(settings, flags.community)
    if (flags.json) return this.log(JSON.stringify(outcome.alias))
    this.log(`Added ${describeAlias(outcome.alias)}`)
  }
}
