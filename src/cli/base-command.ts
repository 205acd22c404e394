/**
 * The base of every waddlebot command: `--config`, settings loading, and one-line errors
 * (`error WB_CODE: message (hint)`) with the error's exit code. `--json` errors print `{error:{…}}`.
 */
import { Command, Flags } from '@oclif/core'
import { loadSettings, type Settings } from '../runtime/config.js'
import { isWaddleError, WaddleError } from '../runtime/errors.js'
import { isParseError, usageError } from './usage-error.js'

export abstract class BaseCommand<_T extends typeof Command = typeof Command> extends Command {
  static override baseFlags = {
    config: Flags.string({
      char: 'c',
      description: 'path to waddlebot.yaml (default: ./waddlebot.yaml, or WADDLEBOT_CONFIG)',
      helpGroup: 'GLOBAL',
    }),
  }

  protected settings(flags: { config?: string | undefined }): Settings {
    return loadSettings({ configPath: flags.config })
  }

  protected wantsJson(): boolean {
    return this.argv.includes('--json')
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (isParseError(err)) return this.catch(usageError(err, this.id))
    if (isWaddleError(err)) {
      if (this.wantsJson()) process.stdout.write(`${JSON.stringify({ error: err.toJSON() })}\n`)
      else process.stderr.write(`error ${err.code}: ${err.message} (${err.hint})\n`)
      process.exitCode = err.exitCode
      return this.exit(err.exitCode)
    }
    if (err.message?.startsWith('EEXIT')) return super.catch(err)
    return this.catch(
      new WaddleError('WB_FAILED', { reason: err.message?.split('\n')[0] || String(err) }, { cause: err }),
    )
  }
}
