import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { describeRule, reportNotify } from '../../cli/moderation-format.js'
import { addRule, MATCH_TYPES, notifyRulesChanged, RULE_ACTIONS } from '../../modules/router/public.js'

export default class ModerationAdd extends BaseCommand<typeof ModerationAdd> {
  static override summary = 'Add a string-match rule (moderation or auto-response)'
  static override description =
    'The pattern `*` matches every message. Placeholders in --value: {user}, {display_name}, {message}, {entity}. See docs/moderation.md.'
  static override args = {
    pattern: Args.string({ description: 'the text, word or regex to match (`*` = every message)', required: true }),
  }
  static override flags = {
    type: Flags.string({ description: 'how the pattern is compared', options: [...MATCH_TYPES], default: 'contains' }),
    action: Flags.string({ description: 'what happens on a match', options: [...RULE_ACTIONS], default: 'warn' }),
    value: Flags.string({
      description: 'respond: reply text · command: command line (!so {user}) · webhook: URL · moderation: reason',
    }),
    duration: Flags.integer({ description: 'timeout length in seconds (timeout action; default 600)', min: 1 }),
    entity: Flags.string({ description: 'apply only to this entity (platform:server:channel); default global' }),
    priority: Flags.integer({ description: 'lower runs and wins first', default: 100 }),
    'case-sensitive': Flags.boolean({ description: 'compare case-sensitively', default: false }),
    json: Flags.boolean({ description: 'print the rule as JSON' }),
  }
  static override examples = [
    '<%= config.bin %> moderation add "buy followers" --action delete',
    '<%= config.bin %> moderation add idiot --type word --action timeout --duration 60',
    '<%= config.bin %> moderation add "^!?discord$" --type regex --action respond --value "Join us: https://discord.gg/x"',
    '<%= config.bin %> moderation add raid --type word --action command --value "!so {user}" --entity twitch:123:123',
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ModerationAdd)
    const settings = this.settings(flags)
    const rule = await withStorage(settings, (db) =>
      addRule(db, {
        pattern: args.pattern,
        match_type: flags.type,
        action: flags.action,
        action_value: flags.value ?? null,
        timeout_seconds: flags.duration ?? null,
        entity_id: flags.entity ?? null,
        priority: flags.priority,
        case_sensitive: flags['case-sensitive'],
        created_by: 'cli',
      }),
    )
    const notified = await notifyRulesChanged(settings)
    if (flags.json) return this.log(JSON.stringify(rule))
    this.log(`Added rule ${rule.id}: ${describeRule(rule)}`)
    reportNotify(this, notified)
  }
}
