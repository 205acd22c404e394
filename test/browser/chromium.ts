/**
 * Headless Chromium for the overlay tests and screenshots: Debian's /usr/bin/chromium (or
 * WADDLEBOT_CHROMIUM) driven by playwright-core. Never downloads a browser.
 */
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

export const CHROMIUM_PATH = process.env.WADDLEBOT_CHROMIUM ?? '/usr/bin/chromium'

/** undefined when Chromium is installed; else why the browser tests cannot run. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set WADDLEBOT_CHROMIUM)`
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A small cover image as a data: URL (an SVG, so the test needs no file or network). */
export function coverArt(label = 'RA', from = '#f59e0b', to = '#dc2626'): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300" viewBox="0 0 300 300"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs><rect width="300" height="300" fill="url(#g)"/><circle cx="150" cy="150" r="92" fill="none" stroke="#fff" stroke-opacity=".35" stroke-width="10"/><text x="150" y="172" font-family="sans-serif" font-size="64" font-weight="700" fill="#fff" text-anchor="middle">${label}</text></svg>`
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
}
