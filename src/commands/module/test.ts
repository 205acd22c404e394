import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { projectRegistry } from '../../cli/registry.js'
import { WaddleError } from '../../runtime/errors.js'

const TEST_FILE = /\.test\.(ts|mts|js|mjs)$/
const HOOKS = new URL('../../../bin/test-hooks.mjs', import.meta.url).href

export default class ModuleTest extends BaseCommand<typeof ModuleTest> {
  static override summary = "Run a module's tests (node --test with tsx), or those of every project module"
  static override description =
    'Finds the *.test.ts files in the folder of the module named (or of every `modules.<name>.path` module of the ' +
    'project; in a module package folder, that folder) and runs them with `node --import tsx --test`. The exit code ' +
    "is node's: 0 when every test passes."
  static override examples = ['<%= config.bin %> module test greeter', '<%= config.bin %> module test']
  static override args = { name: Args.string({ description: 'the module (default: every project module)' }) }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ModuleTest)
    const settings = this.settings(flags)
    const registry = projectRegistry(settings)
    let folders: string[]
    if (args.name) {
      const entry = registry.get(args.name)
      if (!entry) throw new WaddleError('WB_MODULE_UNKNOWN', { module: args.name })
      if (!entry.path)
        throw new WaddleError('WB_INPUT_INVALID', {
          field: 'name',
          reason: `${args.name} is a built-in module (its tests run with waddlebot's own test suite)`,
        })
      folders = [entry.path]
    } else {
      folders = registry.entries
        .filter((e) => e.source === 'project' && e.path && !e.path.includes('node_modules'))
        .map((e) => e.path!)
      // A module package's own folder (`module new --package`): no waddlebot.yaml, an index next to its tests.
      if (folders.length === 0 && ['index.ts', 'index.js'].some((f) => existsSync(join(process.cwd(), f))))
        folders = [process.cwd()]
    }
    const files = folders.flatMap(testFiles)
    if (files.length === 0)
      throw new WaddleError('WB_INPUT_INVALID', {
        field: 'name',
        reason: `no *.test.ts files in ${folders.map((f) => relative(process.cwd(), f) || '.').join(', ') || 'any project module'}`,
      })
    const { NODE_TEST_CONTEXT: _, ...env } = process.env // a run of its own, not part of a calling test run
    const code = await new Promise<number>((done) => {
      const child = spawn(
        process.execPath,
        ['--import', import.meta.resolve('tsx'), '--import', HOOKS, '--test', ...files],
        {
          cwd: process.cwd(),
          env,
          stdio: 'inherit',
        },
      )
      child.once('exit', (c) => done(c ?? 1))
    })
    if (code !== 0) this.exit(code)
  }
}

function testFiles(folder: string): string[] {
  return (readdirSync(folder, { recursive: true }) as string[])
    .filter((f) => TEST_FILE.test(f) && !f.split(/[\\/]/).includes('node_modules'))
    .sort()
    .map((f) => join(folder, f))
}
