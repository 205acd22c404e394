/**
 * Renders the overlay pages with sample data in headless Chromium and saves docs/screenshots/overlay-<type>.png
 * (1920×1080) and overlay-<type>-corner.png (400×120). The pages are transparent; for the picture only, a dark
 * checkerboard is painted behind them so the transparency shows. Run: `node --import tsx test/browser/screenshots.ts`.
 */
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { sqliteBackend } from '../helpers/backends.js'
import { startBrowserSource } from './bs-fixture.js'
import { chromiumMissing, coverArt, launchChromium } from './chromium.js'

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
const CHECKERBOARD =
  'html { background: repeating-conic-gradient(#34343f 0% 25%, #24242c 0% 50%) 50% / 48px 48px !important; }'

const SAMPLES = {
  media: {
    media_type: 'audio',
    title: 'Never Gonna Give You Up',
    artist: 'Rick Astley',
    art_url: coverArt('RA', '#f59e0b', '#be123c'),
    duration: 213,
  },
  ticker: {
    text: 'Thanks for the raid, PenguinParade! 42 viewers just arrived, welcome in. Type !commands to see what the bot can do.',
    duration: 20,
  },
  general: {
    content:
      '<h2>New follower</h2><p>Welcome to the stream, <b>Ann</b>! Say hi in chat and type <mark>!commands</mark> to see what I can do.</p>',
    duration: 0,
  },
} as const

async function settle(page: Page, type: keyof typeof SAMPLES): Promise<void> {
  await page.waitForSelector('.visible')
  await page.addStyleTag({ content: CHECKERBOARD })
  if (type === 'ticker') {
    // Freeze the scroll with the start of the message in view.
    await page.evaluate(() => {
      for (const run of document.getAnimations()) {
        if (!(run.effect instanceof KeyframeEffect) || run.effect.target?.id !== 'text') continue
        const frames = run.effect.getKeyframes()
        const from = Number.parseFloat(String(frames[0]!.transform).slice(10))
        const to = Number.parseFloat(String(frames[1]!.transform).slice(10))
        run.pause()
        run.currentTime = (Number(run.effect.getComputedTiming().duration) * (from - 36)) / (from - to)
      }
    })
  }
  await page.waitForTimeout(700) // let the entrance transitions finish
}

async function main(): Promise<void> {
  const missing = chromiumMissing()
  if (missing) throw new Error(missing)
  mkdirSync(OUT, { recursive: true })
  const f = await startBrowserSource(sqliteBackend())
  const browser = await launchChromium()
  try {
    const community = f.community()
    const tokens = await f.bs.tokens.ensureTokens(community)
    // The track started 78 s ago, so the progress bar shows a position.
    const realNow = f.bs.clock.now
    f.bs.clock.now = () => Date.now() - 78_000
    await f.post('/browser/source/display', { community_id: community, type: 'media', data: SAMPLES.media })
    f.bs.clock.now = realNow
    await f.post('/browser/source/display', { community_id: community, type: 'ticker', data: SAMPLES.ticker })
    await f.post('/browser/source/display', { community_id: community, type: 'general', data: SAMPLES.general })
    for (const type of ['media', 'ticker', 'general'] as const) {
      for (const [suffix, viewport] of [
        ['', { width: 1920, height: 1080 }],
        ['-corner', { width: 400, height: 120 }],
      ] as const) {
        const page = await browser.newPage({ viewport })
        await page.goto(`${f.url}/browser/source/${tokens[type]}/${type}`)
        await settle(page, type)
        const file = `${OUT}overlay-${type}${suffix}.png`
        await page.screenshot({ path: file })
        console.log(`wrote ${file}`)
        await page.close()
      }
    }
  } finally {
    await browser.close()
    await f.close()
  }
}

await main()
