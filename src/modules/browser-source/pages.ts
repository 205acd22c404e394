/**
 * The overlay pages (overlay/<type>.html) as served: the shared client (overlay/client.js) and the page's own
 * script (overlay/<type>.js) are inlined at `<!--@scripts-->` under a per-response CSP nonce, so a page is one
 * self-contained document (OBS may have no internet) that runs no script but its own. The WebSocket URL is
 * derived by the page from its own location (same path, ws/wss).
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { OVERLAY_TYPES, type OverlayType } from './tokens.js'

/** The folder holding the overlay pages. */
export const OVERLAY_DIR = fileURLToPath(new URL('../../../overlay/', import.meta.url))

const MARKER = '<!--@scripts-->'

/** The page templates, read once. */
export interface OverlayPages {
  /** The page of `type` with its scripts inlined under `nonce`. */
  render(type: OverlayType, nonce: string): string
}

/** Reads overlay/*.html and *.js; throws naming the file when one is missing or has no scripts marker. */
export async function loadPages(dir = OVERLAY_DIR): Promise<OverlayPages> {
  const client = await readFile(`${dir}client.js`, 'utf8')
  const pages = new Map<OverlayType, { html: string; script: string }>()
  for (const type of OVERLAY_TYPES) {
    const html = await readFile(`${dir}${type}.html`, 'utf8')
    if (!html.includes(MARKER)) throw new Error(`${dir}${type}.html has no ${MARKER} marker`)
    pages.set(type, { html, script: await readFile(`${dir}${type}.js`, 'utf8') })
  }
  return {
    render(type, nonce) {
      const page = pages.get(type)!
      // Scripts are ours; `</script` cannot appear in them (checked by the page tests).
      const scripts = `<script nonce="${nonce}">\n${client};\n${page.script};\n</script>`
      return page.html.replace(MARKER, () => scripts)
    },
  }
}

/** A fresh CSP nonce. */
export function newNonce(): string {
  return randomBytes(16).toString('base64')
}

/** Where a general card's clip player may come from: Twitch's clip embeds, or a loopback fake in tests. */
export const CLIP_FRAME_SOURCES = ['https://clips.twitch.tv', 'http://127.0.0.1:*', 'http://localhost:*'] as const

/**
 * Headers of an overlay page: only its own inline script runs, images may come from http(s)/data, frames only
 * from the clip players above, the WebSocket goes back to this server, and no Referer (which would carry the
 * token) leaves the page.
 */
export function pageHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-robots-tag': 'noindex',
    'content-security-policy': [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      "style-src 'unsafe-inline'",
      'img-src data: http: https:',
      `frame-src ${CLIP_FRAME_SOURCES.join(' ')}`,
      "connect-src 'self' ws: wss:",
      "base-uri 'none'",
      "form-action 'none'",
    ].join('; '),
  }
}
