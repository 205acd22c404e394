import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Args, Flags } from '@oclif/core'
import { stringify } from 'yaml'
import { BaseCommand } from '../cli/base-command.js'
import { composeFile } from '../cli/deploy/compose.js'
import { k8sManifests } from '../cli/deploy/k8s.js'
import { deployPlan } from '../cli/deploy/plan.js'
import { projectRegistry } from '../cli/registry.js'
import { WaddleError } from '../runtime/errors.js'

const HEADER = '# Written by `waddlebot deploy` from waddlebot.yaml; rerun it after a config change (docs/deploy.md).\n'

export default class Deploy extends BaseCommand<typeof Deploy> {
  static override summary = 'Write a Compose file or Kubernetes manifests for this project'
  static override description = [
    'One service / Deployment per enabled module, all from the one waddlebot image (`run <module>`), a one-shot migration before any module starts, Postgres and Redis (Compose) or their URLs from a Secret (Kubernetes). Secrets are never written: they come from .env.',
    'compose writes <out>/compose.yaml (default: the project folder, beside .env); k8s writes <out>/*.yaml (default: <project>/k8s).',
  ].join('\n\n')
  static override args = {
    target: Args.string({ description: 'what to write: compose or k8s', required: true }),
  }
  static override flags = {
    out: Flags.string({ description: 'folder to write to' }),
    image: Flags.string({ description: 'the waddlebot image (default: waddlebot:<version>)' }),
    name: Flags.string({ description: 'prefix of every resource name', default: 'waddlebot' }),
    json: Flags.boolean({ description: 'print the written files as JSON' }),
  }
  static override examples = [
    '<%= config.bin %> deploy compose',
    '<%= config.bin %> deploy k8s --out deploy/k8s --image ghcr.io/me/waddlebot:0.1.0',
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Deploy)
    if (args.target !== 'compose' && args.target !== 'k8s')
      throw new WaddleError('WB_INPUT_INVALID', {
        field: 'target',
        reason: `must be compose or k8s, got ${args.target}`,
      })
    if (!/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(flags.name))
      throw new WaddleError('WB_INPUT_INVALID', {
        field: 'name',
        reason: 'lower-case letters, digits and dashes, 2–32 characters (a Kubernetes name prefix)',
      })
    const settings = this.settings(flags)
    const image = flags.image ?? `waddlebot:${this.config.version}`
    const plan = deployPlan(settings, projectRegistry(settings), { name: flags.name, image })
    const written: string[] = []
    if (args.target === 'compose') {
      const outDir = resolve(flags.out ?? settings.projectDir)
      const doc = composeFile(plan, { outDir, projectDir: settings.projectDir, bind: settings.bind })
      written.push(write(outDir, 'compose.yaml', HEADER + toYaml(doc)))
    } else {
      const outDir = resolve(flags.out ?? join(settings.projectDir, 'k8s'))
      for (const f of k8sManifests(plan)) {
        written.push(write(outDir, f.file, HEADER + f.docs.map((d) => toYaml(d)).join('---\n')))
      }
    }
    if (flags.json) return this.log(JSON.stringify({ target: args.target, files: written, modules: plan.modules }))
    for (const f of written) this.log(`wrote ${f}`)
    this.log(`${plan.modules.length} modules: ${plan.modules.map((m) => m.name).join(', ')}. See docs/deploy.md.`)
  }
}

/** YAML 1.1 quoting (`restart: "no"` stays a string for every reader), no anchors for shared objects. */
function toYaml(doc: unknown): string {
  return stringify(doc, { aliasDuplicateObjects: false, version: '1.1' })
}

function write(dir: string, file: string, text: string): string {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, file)
  writeFileSync(path, text)
  return path
}
