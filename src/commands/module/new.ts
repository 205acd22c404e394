import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { Args, Flags } from '@oclif/core'
import { isMap, parseDocument, YAMLMap } from 'yaml'
import { BaseCommand } from '../../cli/base-command.js'
import { renderTemplate, TEMPLATES_DIR } from '../../cli/render-template.js'
import { PACKAGE_ROOT, selfDependency } from '../../cli/self-dependency.js'
import { CONFIG_FILE_NAME } from '../../runtime/config.js'
import { WaddleError } from '../../runtime/errors.js'
import { builtinCatalog, projectRegistry } from '../../cli/registry.js'
import type { Registry } from '../../runtime/registry.js'

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/
/** Custom modules take ports from here up (seed modules sit below, CONTRACT §3). */
const FIRST_CUSTOM_PORT = 8100

export default class ModuleNew extends BaseCommand<typeof ModuleNew> {
  static override summary = 'Scaffold a module with a passing test and add it to waddlebot.yaml'
  static override description =
    'In a project the module goes to modules/<name>/; inside the waddlebot repository to src/modules/<name>/. waddlebot.yaml gets `modules.<name>: {path, port}` (comments kept), with the first free port from 8100.'
  static override examples = ['<%= config.bin %> module new greeter', '<%= config.bin %> module new greeter --package']
  static override args = {
    name: Args.string({ description: 'kebab-case module name, also its command (!name)', required: true }),
  }
  static override flags = {
    package: Flags.boolean({
      description:
        'scaffold a publishable npm package in ./<name>/ instead (package.json with a peer dependency on waddlebot, README, test); bots install it with `waddlebot module add`',
    }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ModuleNew)
    const name = args.name
    if (!KEBAB.test(name) || name.length > 40) {
      throw new WaddleError('WB_INPUT_INVALID', {
        field: 'name',
        reason: `${JSON.stringify(name)} must be kebab-case (a-z, 0-9, dashes; at most 40 characters)`,
      })
    }
    if (builtinCatalog.some((m) => m.name === name))
      throw new WaddleError('WB_INPUT_INVALID', { field: 'name', reason: `${name} is a built-in module` })
    if (flags.package) return this.scaffoldPackage(name)
    const settings = this.settings(flags)
    const root = settings.projectDir
    // Inside this repository modules live in src/ (even once a waddlebot.yaml exists there).
    const insideRepo = isWaddlebotRepo(root)
    const relPath = insideRepo ? `./src/modules/${name}` : `./modules/${name}`
    const dir = join(root, relPath)
    const configFile = settings.configFile ?? join(root, CONFIG_FILE_NAME)
    if (existsSync(dir)) throw new WaddleError('WB_MODULE_EXISTS', { module: name, path: dir })
    if (settings.modules[name]) throw new WaddleError('WB_MODULE_EXISTS', { module: name, path: configFile })
    const owner = await builtinCommandOwner(projectRegistry(settings), name)
    if (owner)
      throw new WaddleError('WB_INPUT_INVALID', {
        field: 'name',
        reason: `!${name} is already a command of the ${owner} module`,
      })

    const doc = parseDocument(existsSync(configFile) ? readFileSync(configFile, 'utf8') : MINIMAL_CONFIG)
    const modules = moduleMap(doc)
    const port = freePort(modules)
    const files = renderTemplate(join(TEMPLATES_DIR, 'module'), dir, { name, port: String(port) })
    modules.set(name, doc.createNode({ path: relPath, port }))
    const created = !existsSync(configFile)
    writeFileSync(configFile, String(doc))

    this.log(`Created module ${name} (port ${port}, command !${name}):`)
    for (const f of files) this.log(`  ${relative(process.cwd(), join(dir, f)) || f}`)
    this.log(
      `${created ? 'Created' : 'Updated'} ${relative(process.cwd(), configFile) || configFile}: modules.${name} = { path: ${relPath}, port: ${port} }`,
    )
    this.log('Restart the bot to load it (`waddlebot dev` reloads it on every save); `waddlebot module list` shows it.')
  }

  /** `--package`: ./<name>/ as a publishable package, not listed in any waddlebot.yaml. */
  private scaffoldPackage(name: string): void {
    const dir = join(process.cwd(), name)
    if (existsSync(dir)) throw new WaddleError('WB_MODULE_EXISTS', { module: name, path: dir })
    const self = selfDependency(dir)
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string
      dependencies: Record<string, string>
    }
    const files = renderTemplate(join(TEMPLATES_DIR, 'module-package'), dir, {
      name,
      waddlebot_version: pkg.version,
      waddlebot_dependency: self.spec,
      tsx_version: (pkg.dependencies.tsx ?? '4').replace(/^[\^~]/, ''),
    })
    this.log(`Created the package ${name} (command !${name}):`)
    for (const f of files) this.log(`  ${relative(process.cwd(), join(dir, f))}`)
    this.log(
      `Next: cd ${name} && npm install && npm test; \`npm pack\` makes the tarball \`waddlebot module add\` installs.`,
    )
  }
}

export const MINIMAL_CONFIG = `# waddlebot.yaml (created by \`waddlebot module new\`; \`waddlebot init\` writes a fully commented one).
# Secrets never go here: use the environment or .env.
modules: {}
`

/** The built-in module that already answers `!<word>` (the new module's command would collide at start). */
async function builtinCommandOwner(registry: Registry, word: string): Promise<string | undefined> {
  for (const entry of registry.entries.filter((e) => e.source === 'seed' && e.available)) {
    const def = await entry.load()
    if (def.commands?.some((c) => c.name === word || c.aliases?.includes(word))) return entry.name
  }
  return undefined
}

function isWaddlebotRepo(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'waddlebot'
  } catch {
    return false
  }
}

/** The `modules` map of the document as a block map, created when absent (the file was validated at load). */
export function moduleMap(doc: ReturnType<typeof parseDocument>): YAMLMap {
  const node = doc.get('modules', true)
  if (isMap(node)) {
    if (node.items.length === 0) node.flow = false
    return node
  }
  const map = new YAMLMap()
  doc.set('modules', map)
  return map
}

/** The first port ≥ 8100 that no module entry of the file uses. */
export function freePort(modules: YAMLMap): number {
  const used = new Set<number>()
  for (const item of modules.items) {
    const port = isMap(item.value) ? item.value.get('port') : undefined
    if (typeof port === 'number') used.add(port)
  }
  let port = FIRST_CUSTOM_PORT
  while (used.has(port)) port++
  return port
}
