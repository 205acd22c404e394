import { Flags } from '@oclif/core'
import { authSlack } from '../../cli/auth/slack.js'
import { BaseCommand } from '../../cli/base-command.js'
import { createPrompter } from '../../cli/prompt.js'

export default class AuthSlack extends BaseCommand<typeof AuthSlack> {
  static override summary = 'Print a Slack app manifest, then check the pasted tokens and store them in .env'
  static override description =
    'The manifest holds the scopes, events, the /waddlebot slash command and, with a public URL (--public-url or ' +
    'modules.slack.public_url), the request URLs /slack/events, /slack/commands and /slack/interactions; without one it ' +
    'sets up Socket Mode. The tokens (asked without echo, or piped on stdin in the order bot token, then signing secret ' +
    'or app token) are checked with auth.test (SLACK_API_URL) and saved to .env.'
  static override examples = [
    '<%= config.bin %> auth slack --public-url https://bot.example.com',
    '<%= config.bin %> auth slack --socket-mode',
    '<%= config.bin %> auth slack --manifest-only --public-url https://bot.example.com',
  ]
  static override flags = {
    'public-url': Flags.string({ description: 'public https URL that reaches the Slack collector (port 8004)' }),
    'socket-mode': Flags.boolean({ description: 'Socket Mode even when a public URL is configured' }),
    name: Flags.string({ description: 'the app and bot name in the manifest', default: 'waddlebot' }),
    'manifest-only': Flags.boolean({ description: 'print the manifest and stop' }),
    token: Flags.string({ description: 'the bot token xoxb-… (prefer the prompt or stdin)' }),
    'signing-secret': Flags.string({ description: 'the signing secret (HTTP mode)' }),
    'app-token': Flags.string({ description: 'the app-level token xapp-… (Socket Mode)' }),
    json: Flags.boolean({ description: 'print the result (manifest included) as JSON' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(AuthSlack)
    const settings = this.settings(flags)
    const say = (line: string) => (flags.json ? process.stderr.write(`${line}\n`) : this.log(line))
    const show = (text: string) => (flags.json ? undefined : this.log(text))
    const prompt = createPrompter()
    try {
      const result = await authSlack(
        settings,
        {
          publicUrl: flags['public-url'],
          socketMode: flags['socket-mode'],
          name: flags.name,
          manifestOnly: flags['manifest-only'],
          token: flags.token,
          signingSecret: flags['signing-secret'],
          appToken: flags['app-token'],
        },
        prompt,
        say,
        show,
      )
      if (flags.json) this.log(JSON.stringify(result))
    } finally {
      prompt.close()
    }
  }
}
