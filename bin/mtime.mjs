// The freshness check shared by the on-demand builds (bin/manifest.mjs, bin/build-lib.mjs): a stat walk.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** The newest mtime under `dir`, directories included (an added, renamed or deleted file changes its folder's). */
export function newestMtime(dir) {
  let newest = statSync(dir).mtimeMs
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}
