/** `--log-format` of the commands that host modules (start, run, up). */
import { Flags } from '@oclif/core'
import type { Settings } from '../runtime/config.js'
import { LOG_FORMATS, type LogFormat } from '../runtime/log-pretty.js'

export const logFormatFlag = Flags.string({
  options: [...LOG_FORMATS],
  description: 'log lines: pretty on a terminal and JSON otherwise (auto, the default), or always pretty / json',
  helpGroup: 'LOGS',
})

/** The settings with `--log-format` applied (it wins over log.format and WADDLEBOT_LOG_FORMAT). */
export function withLogFormat(settings: Settings, flag: string | undefined): Settings {
  return flag ? { ...settings, logFormat: flag as LogFormat } : settings
}
