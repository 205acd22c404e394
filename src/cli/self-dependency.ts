/**
 * How a project made by `waddlebot init` depends on waddlebot, so that `npm install` in it finds the very
 * copy of waddlebot that made it:
 * - installed from a registry (also `npx waddlebot`): the version that runs, `^<version>`;
 * - installed from a tarball (`npm install ./waddlebot-0.1.0.tgz`): the same tarball, as a `file:` path
 *   (that version is on no registry, so a version number would not resolve);
 * - run from a checkout of the repository: the checkout, as a `file:` path (npm links it).
 */
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The root of this copy of waddlebot (src/cli → package root). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface SelfDependency {
  /** what goes into the project's package.json, e.g. `^0.1.0` or `file:../waddlebot-0.1.0.tgz` */
  readonly spec: string
  readonly source: 'registry' | 'tarball' | 'checkout'
}

/** The dependency spec for a project in `projectDir`, for this waddlebot at `packageRoot`. */
export function selfDependency(projectDir: string, packageRoot: string = PACKAGE_ROOT): SelfDependency {
  const root = resolve(packageRoot)
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version
  const marker = `${sep}node_modules${sep}`
  const at = root.lastIndexOf(marker)
  if (at < 0) return { spec: fileSpec(projectDir, root), source: 'checkout' }
  const installer = root.slice(0, at)
  const resolved = lockedResolved(installer, relative(installer, root).split(sep).join('/'))
  if (resolved?.startsWith('file:') && /\.(tgz|tar\.gz)$/.test(resolved)) {
    const tarball = resolve(installer, resolved.slice('file:'.length))
    if (existsSync(tarball)) return { spec: fileSpec(projectDir, tarball), source: 'tarball' }
  }
  return { spec: `^${version}`, source: 'registry' }
}

/** A sentence for the generated README saying where waddlebot comes from. */
export function describeSelfDependency(dep: SelfDependency): string {
  switch (dep.source) {
    case 'registry':
      return `waddlebot comes from the npm registry (\`"waddlebot": "${dep.spec}"\` in package.json).`
    case 'tarball':
      return `waddlebot comes from the package file it was installed from (\`"waddlebot": "${dep.spec}"\` in package.json): keep that file where it is, or change the dependency to a published version.`
    case 'checkout':
      return `waddlebot comes from the repository checkout that created this project (\`"waddlebot": "${dep.spec}"\` in package.json; npm links it, so changes there apply here). Change it to a published version to share this project.`
  }
}

/** `resolved` of `key` in the lockfile npm wrote when it installed into `installer`, if any. */
function lockedResolved(installer: string, key: string): string | undefined {
  for (const file of [join(installer, 'node_modules', '.package-lock.json'), join(installer, 'package-lock.json')]) {
    try {
      const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages?: Record<string, { resolved?: string }> }
      const resolved = lock.packages?.[key]?.resolved
      if (resolved) return resolved
    } catch {}
  }
  return undefined
}

function fileSpec(projectDir: string, target: string): string {
  const rel = relative(resolve(projectDir), target)
  const path = rel === '' ? '.' : isAbsolute(rel) ? rel : rel.split(sep).join('/')
  return `file:${path.startsWith('.') || isAbsolute(path) ? path : `./${path}`}`
}
