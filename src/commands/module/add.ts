import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Args } from '@oclif/core'
import { parseDocument } from 'yaml'
import { BaseCommand } from '../../cli/base-command.js'
import { builtinCatalog } from '../../cli/registry.js'
import { CONFIG_FILE_NAME } from '../../runtime/config.js'
import { isWaddleError, WaddleError } from '../../runtime/errors.js'
import { checkDefinition, importModuleExport } from '../../runtime/registry.js'
import { freePort, MINIMAL_CONFIG, moduleMap } from './new.js'

const NPM_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/

export default class ModuleAdd extends BaseCommand<typeof ModuleAdd> {
  static override summary = 'Install a module package (npm name or tarball) and enable it in waddlebot.yaml'
  static override description =
    "Runs `npm install <package>` in the project, checks that the package's default export is a waddlebot module, and adds " +
    '`modules.<name>: {package, port}` to waddlebot.yaml (comments kept; the first free port from 8100). Restart the bot, ' +
    'or run `waddlebot dev`, to load it.'
  static override examples = [
    '<%= config.bin %> module add waddlebot-greeter',
    '<%= config.bin %> module add ./greeter-0.1.0.tgz',
  ]
  static override args = {
    package: Args.string({
      description: 'an npm package name (with an optional @version) or a .tgz file',
      required: true,
    }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ModuleAdd)
    const settings = this.settings(flags)
    const root = settings.projectDir
    const spec = existsSync(resolve(process.cwd(), args.package)) ? resolve(process.cwd(), args.package) : args.package
    const fail = (reason: string): never => {
      throw new WaddleError('WB_MODULE_INSTALL_FAILED', { spec: args.package, reason })
    }
    const before = dependencies(root)
    const code = await npmInstall(root, spec)
    if (code !== 0) fail(`npm install exited with code ${code}`)
    const after = dependencies(root)
    const added = Object.keys(after).filter((d) => before[d] !== after[d])
    const pkg =
      added[0] ??
      (NPM_NAME.test(args.package.replace(/(.)@[^/]*$/, '$1')) ? args.package.replace(/(.)@[^/]*$/, '$1') : undefined)
    if (!pkg) return fail('npm installed no new dependency')

    const dir = join(root, 'node_modules', pkg)
    let name: string
    try {
      const raw = await importModuleExport(pkg, dir)
      name = String((raw as { name?: unknown } | undefined)?.name ?? '')
      checkDefinition(name, raw)
    } catch (error) {
      return fail(`it is not a waddlebot module (${isWaddleError(error) ? error.message : (error as Error).message})`)
    }
    if (builtinCatalog.some((m) => m.name === name)) fail(`its module name ${name} is a built-in module`)
    const current = settings.modules[name]
    if (current && current.package !== pkg)
      throw new WaddleError('WB_MODULE_EXISTS', { module: name, path: settings.configFile ?? CONFIG_FILE_NAME })

    const configFile = settings.configFile ?? join(root, CONFIG_FILE_NAME)
    const doc = parseDocument(existsSync(configFile) ? readFileSync(configFile, 'utf8') : MINIMAL_CONFIG)
    const modules = moduleMap(doc)
    const port = current?.port ?? freePort(modules)
    modules.set(name, doc.createNode({ package: pkg, port }))
    writeFileSync(configFile, String(doc))
    this.log(
      `Added module ${name} from the package ${pkg} (port ${port}): modules.${name} = { package: ${pkg}, port: ${port} }`,
    )
    this.log('Restart the bot to load it (or run `waddlebot dev`); `waddlebot module list` shows it.')
  }
}

function dependencies(root: string): Record<string, string> {
  try {
    return (
      (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> })
        .dependencies ?? {}
    )
  } catch {
    return {}
  }
}

/** `npm install <spec>` in the project; npm's output goes to stderr, so stdout keeps this command's lines. */
function npmInstall(root: string, spec: string): Promise<number> {
  return new Promise((done) => {
    const npm = spawn('npm', ['install', '--no-audit', '--no-fund', spec], { cwd: root, stdio: ['ignore', 2, 2] })
    npm.once('error', () => done(127))
    npm.once('exit', (code) => done(code ?? 1))
  })
}
