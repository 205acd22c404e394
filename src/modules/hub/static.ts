/**
 * Serves the built UI (hub/dist): hashed files under /assets/ are cached for a year (immutable), everything else
 * (index.html) is revalidated; any other page path falls back to index.html (the UI routes in the browser).
 * The build happens on install (`prepare`) or here on first serve: the first page request starts
 * `node --import tsx hub/build.ts` in a child process (it rebuilds only when the sources changed) and never
 * blocks the bot; until a first build exists pages answer 503 with a plain-text note.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyReply } from 'fastify'
import type { Logger } from '../../runtime/logger.js'

/** The package's hub/ folder (this file is src/modules/hub/static.ts). */
export const HUB_SOURCE_DIR = fileURLToPath(new URL('../../../hub/', import.meta.url))

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
}

export interface StaticSite {
  /** Answers a GET for a page or file path. */
  serve(path: string, reply: FastifyReply): Promise<FastifyReply>
  /** Resolves when a build this site started has ended (tests, shutdown). */
  building(): Promise<void>
}

export function createStaticSite(options: { distDir: string; build: boolean; log: Logger }): StaticSite {
  const root = resolve(options.distDir)
  let build: Promise<void> | undefined

  function startBuild(): void {
    if (build || !options.build) return
    const script = join(HUB_SOURCE_DIR, 'build.ts')
    if (!existsSync(script)) return
    options.log.info(
      { dist: root },
      'checking the hub UI build in the background (it rebuilds when the sources changed)',
    )
    build = new Promise<void>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: join(HUB_SOURCE_DIR, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let err = ''
      let said = ''
      child.stdout?.on('data', (d: Buffer) => {
        said = (said + d.toString()).slice(-500)
      })
      child.stderr?.on('data', (d: Buffer) => {
        err = (err + d.toString()).slice(-2000)
      })
      child.on('error', (error) => {
        options.log.warn({ err: error }, 'hub UI build could not start')
        done()
      })
      child.on('exit', (code) => {
        if (code === 0) options.log.info(said.trim() || 'hub UI ready')
        else options.log.warn({ code, stderr: err }, 'hub UI build failed')
        done()
      })
    })
  }

  async function file(path: string): Promise<string | undefined> {
    const full = normalize(join(root, path))
    if (full !== root && !full.startsWith(root + sep)) return undefined
    const info = await stat(full).catch(() => undefined)
    return info?.isFile() ? full : undefined
  }

  return {
    async serve(rawPath, reply) {
      startBuild()
      let path: string
      try {
        path = decodeURIComponent(rawPath.split('?')[0] ?? '/')
      } catch {
        path = '/'
      }
      const found = path.includes('\0') ? undefined : await file(path === '/' ? 'index.html' : path.slice(1))
      const target = found ?? (extname(path) === '' || path.endsWith('.html') ? await file('index.html') : undefined)
      if (!target) {
        if (!existsSync(join(root, 'index.html')))
          return reply
            .code(503)
            .header('content-type', 'text/plain; charset=utf-8')
            .header('retry-after', '5')
            .header('cache-control', 'no-store')
            .send('The hub is being built; reload in a few seconds.\n')
        return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('Not found\n')
      }
      const immutable = found !== undefined && path.startsWith('/assets/')
      return reply
        .code(200)
        .header('content-type', TYPES[extname(target)] ?? 'application/octet-stream')
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(await readFile(target))
    },
    building: () => build ?? Promise.resolve(),
  }
}

/** The security headers of every hub answer; `frameSrc` is the overlays' origin (their preview iframes). */
export function securityHeaders(frameSrc: string | undefined, secure: boolean): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    `frame-src 'self'${frameSrc ? ` ${frameSrc}` : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(secure ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  }
}
