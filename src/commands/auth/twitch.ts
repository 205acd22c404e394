import { Flags } from '@oclif/core'
import { authTwitch, checkTwitch } from '../../cli/auth/twitch.js'
import { BaseCommand } from '../../cli/base-command.js'
import { createPrompter } from '../../cli/prompt.js'
import { createLogger } from '../../runtime/logger.js'

export default class AuthTwitch extends BaseCommand<typeof AuthTwitch> {
  static override summary = "Log the bot's Twitch account in (OAuth device code flow) and store its tokens in .env"
  static override description =
    'Shows a URL and a code: open the URL logged in as the bot account and enter the code. The access and refresh ' +
    'tokens go to .env (never waddlebot.yaml); the bot refreshes them itself. Then asks which channels to join ' +
    '(twitch.channels in waddlebot.yaml). --check validates the stored token and refreshes it when Twitch refuses it. ' +
    'Endpoints: TWITCH_AUTH_URL (default https://id.twitch.tv). See docs/collectors.md.'
  static override examples = [
    '<%= config.bin %> auth twitch --client-id abc123 --channels mychannel',
    '<%= config.bin %> auth twitch --check',
  ]
  static override flags = {
    'client-id': Flags.string({
      description: 'Client ID of your Twitch application (default: TWITCH_CLIENT_ID, else asked)',
    }),
    channels: Flags.string({ description: 'comma-separated channels to join (asked on a terminal when absent)' }),
    scopes: Flags.string({ description: 'space- or comma-separated scopes to request instead of the bot defaults' }),
    check: Flags.boolean({ description: 'validate (and if needed refresh) the stored token instead of logging in' }),
    json: Flags.boolean({ description: 'print the result as JSON' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(AuthTwitch)
    const settings = this.settings(flags)
    const say = (line: string) => (flags.json ? process.stderr.write(`${line}\n`) : this.log(line))
    if (flags.check) {
      const result = await checkTwitch(settings, createLogger({ level: 'warn', destination: process.stderr }), say)
      if (flags.json) this.log(JSON.stringify(result))
      return
    }
    const prompt = createPrompter()
    try {
      const scopes = flags.scopes?.split(/[\s,]+/).filter(Boolean)
      const result = await authTwitch(
        settings,
        { clientId: flags['client-id'], channels: flags.channels, scopes },
        prompt,
        say,
      )
      if (flags.json) this.log(JSON.stringify(result))
    } finally {
      prompt.close()
    }
  }
}
