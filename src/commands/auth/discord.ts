import { Flags } from '@oclif/core'
import { authDiscord } from '../../cli/auth/discord.js'
import { BaseCommand } from '../../cli/base-command.js'
import { createPrompter } from '../../cli/prompt.js'

export default class AuthDiscord extends BaseCommand<typeof AuthDiscord> {
  static override summary = "Check a Discord bot token, store it in .env and print the bot's invite URL"
  static override description =
    'Asks for the bot token (not echoed; or piped on stdin, or --token), checks it against Discord (DISCORD_API_URL, ' +
    'default https://discord.com/api), saves DISCORD_BOT_TOKEN (and the application public key) to .env, prints the ' +
    'invite URL with exactly the permissions the collector uses, and says which privileged intents to switch on.'
  static override examples = [
    '<%= config.bin %> auth discord',
    'printf \'%s\\n\' "$TOKEN" | <%= config.bin %> auth discord --json',
  ]
  static override flags = {
    token: Flags.string({ description: 'the bot token (prefer the prompt or stdin: flags end up in shell history)' }),
    json: Flags.boolean({ description: 'print the result as JSON' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(AuthDiscord)
    const settings = this.settings(flags)
    const say = (line: string) => (flags.json ? process.stderr.write(`${line}\n`) : this.log(line))
    const prompt = createPrompter()
    try {
      const result = await authDiscord(settings, { token: flags.token }, prompt, say)
      if (flags.json) this.log(JSON.stringify(result))
    } finally {
      prompt.close()
    }
  }
}
