/**
 * A tiny scaffolder for templates/ (`init`, `module new`): copies a template folder recursively, fills
 * `{{var}}` in text files and file names, and renames `_gitignore` to `.gitignore` (npm drops .gitignore
 * files from published packages). It checks every target before writing, so a refusal writes nothing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WaddleError } from '../runtime/errors.js'

/** templates/ of this package (src/cli → package root). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url))

/** File names a published package cannot carry, stored under another name in templates/. */
const RENAMES: Readonly<Record<string, string>> = { _gitignore: '.gitignore' }

const PLACEHOLDER = /\{\{(\w+)\}\}/g

export interface RenderOptions {
  /** Overwrite files that already exist (default: refuse with WB_FILE_EXISTS). */
  readonly force?: boolean | undefined
}

/** Fills `{{var}}`; a placeholder without a value is a template bug and throws. */
export function fillPlaceholders(text: string, vars: Readonly<Record<string, string>>, where: string): string {
  return text.replace(PLACEHOLDER, (_, key: string) => {
    const value = vars[key]
    if (value === undefined) throw new Error(`template ${where} uses {{${key}}} but no value was given`)
    return value
  })
}

/**
 * Renders `templateDir` into `targetDir`. Returns the written paths relative to `targetDir`, sorted.
 * Throws WB_FILE_EXISTS (before writing anything) when a target exists and `force` is not set.
 */
export function renderTemplate(
  templateDir: string,
  targetDir: string,
  vars: Readonly<Record<string, string>>,
  options: RenderOptions = {},
): string[] {
  const files = listFiles(templateDir).map((src) => {
    const rel = relative(templateDir, src)
    const name = RENAMES[rel.split(/[\\/]/).pop()!]
    const renamed = name ? join(dirname(rel), name) : rel
    return { src, dest: join(targetDir, fillPlaceholders(renamed, vars, rel)), rel }
  })
  if (!options.force) {
    const taken = files.find((f) => existsSync(f.dest))
    if (taken) throw new WaddleError('WB_FILE_EXISTS', { path: taken.dest })
  }
  for (const f of files) {
    const raw = readFileSync(f.src)
    const content = raw.includes(0) ? raw : fillPlaceholders(raw.toString('utf8'), vars, f.rel)
    mkdirSync(dirname(f.dest), { recursive: true })
    writeFileSync(f.dest, content)
  }
  return files.map((f) => relative(targetDir, f.dest)).sort()
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? listFiles(path) : [path]
  })
}
