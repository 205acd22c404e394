/**
 * A local npm registry on 127.0.0.1 that serves exactly the packages of a package-lock.json, their
 * tarballs read from the local npm cache (~/.npm/_cacache, filled by `npm ci`). npm's own `--offline`
 * cannot install a package that has no lockfile (it needs the registry's package documents, which `npm ci`
 * does not cache); this registry answers them from the lockfile, so `npm install` runs for real with no
 * traffic beyond this machine. A package the lockfile or the cache lacks is a 404, recorded in `misses`.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

interface LockEntry {
  name?: string
  version?: string
  resolved?: string
  integrity?: string
  link?: boolean
  [field: string]: unknown
}

interface PackageDocument {
  name: string
  versions: Record<string, Record<string, unknown>>
  'dist-tags': { latest: string }
}

const MANIFEST_FIELDS = [
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'engines',
  'os',
  'cpu',
  'libc',
  'license',
  'deprecated',
  'hasInstallScript',
]

export interface FakeRegistry {
  readonly url: string
  readonly misses: string[]
  close(): Promise<void>
}

export async function startNpmRegistry(lockfile: string, cacheDir: string): Promise<FakeRegistry> {
  const lock = JSON.parse(readFileSync(lockfile, 'utf8')) as { packages: Record<string, LockEntry> }
  const documents = new Map<string, PackageDocument>()
  const tarballs = new Map<string, string>() // "/<name>/-/<file>" → integrity
  const misses: string[] = []
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!)
    const integrity = tarballs.get(path)
    if (integrity) {
      try {
        const body = readFileSync(cachePath(cacheDir, integrity))
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
        return res.end(body)
      } catch {}
    }
    const doc = documents.get(path.slice(1))
    if (doc) {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify(doc))
    }
    misses.push(path)
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end('{"error":"not found"}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key === '' || entry.link || !entry.version || !entry.integrity) continue
    if (entry.resolved !== undefined && !entry.resolved.startsWith('https://registry.npmjs.org/')) continue
    const name = entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)
    const file = `${name.slice(name.lastIndexOf('/') + 1)}-${entry.version}.tgz`
    tarballs.set(`/${name}/-/${file}`, entry.integrity)
    const manifest: Record<string, unknown> = {
      name,
      version: entry.version,
      dist: { tarball: `${url}/${name}/-/${file}`, integrity: entry.integrity },
    }
    for (const field of MANIFEST_FIELDS) if (entry[field] !== undefined) manifest[field] = entry[field]
    const doc: PackageDocument = documents.get(name) ?? { name, versions: {}, 'dist-tags': { latest: entry.version } }
    doc.versions[entry.version] = manifest
    doc['dist-tags'].latest = newest(Object.keys(doc.versions))
    documents.set(name, doc)
  }
  return {
    url,
    misses,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Where cacache keeps the content of `sha512-<base64>` (content-v2/<algo>/<2 hex>/<2 hex>/<rest>). */
function cachePath(cacheDir: string, integrity: string): string {
  const [algo, digest] = integrity.split(' ')[0]!.split('-', 2) as [string, string]
  const hex = Buffer.from(digest, 'base64').toString('hex')
  return join(cacheDir, '_cacache', 'content-v2', algo, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4))
}

function newest(versions: string[]): string {
  const parts = (v: string) => v.split(/[.+-]/).slice(0, 3).map(Number)
  return versions.reduce((a, b) => {
    const [x, y] = [parts(a), parts(b)]
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) > (y[i] ?? 0) ? a : b
    return a
  })
}
