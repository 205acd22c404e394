// oclif's command manifest, kept beside package.json as `oclif.manifest.json` (not committed). Without it
// oclif imports every command (≈ 150 ms, 13 MB) to find one; with it only the command being run loads.
// It is rebuilt whenever a file under src/commands or src/cli is newer than it, so a new or changed
// command is never hidden. A read-only install simply runs without it.
import { renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { newestMtime } from './mtime.mjs'

const SOURCES = ['src/commands', 'src/cli']

function isFresh(root, file) {
  try {
    const built = statSync(file).mtimeMs
    return (
      built >= statSync(join(root, 'package.json')).mtimeMs && SOURCES.every((d) => built >= newestMtime(join(root, d)))
    )
  } catch {
    return false
  }
}

/** Makes sure the manifest in `root` is current; never fails the command being run. */
export async function ensureManifest(root) {
  const file = join(root, 'oclif.manifest.json')
  if (isFresh(root, file)) return
  try {
    const { Plugin } = await import('@oclif/core')
    const plugin = new Plugin({ root, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true })
    await plugin.load()
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(plugin.manifest))
    renameSync(tmp, file) // atomic: CLIs started side by side never read half a file
  } catch {
    // read-only install or a command that does not load: oclif finds commands without a manifest
  }
}
