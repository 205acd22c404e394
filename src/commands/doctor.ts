import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { runChecks } from '../cli/doctor-checks.js'

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = 'Check config, database, Redis, ports and platform tokens; exit non-zero on a failure'
  static override flags = { json: Flags.boolean({ description: 'print the checks as JSON' }) }

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor)
    const checks = await runChecks(this.settings(flags))
    const failed = checks.filter((c) => c.status === 'fail').length
    if (flags.json) this.log(JSON.stringify({ ok: failed === 0, checks }))
    else {
      const mark = { ok: '✔', warn: '!', fail: '✘' } as const
      for (const c of checks) this.log(`${mark[c.status]} ${c.name.padEnd(16)} ${c.detail}`)
      this.log(failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`)
    }
    if (failed > 0) this.exit(1)
  }
}
