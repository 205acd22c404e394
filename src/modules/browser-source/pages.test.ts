import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { loadPages, newNonce, OVERLAY_DIR, pageHeaders } from './pages.js'
import { OVERLAY_TYPES } from './tokens.js'

describe('overlay pages', () => {
  test('each page is one self-contained document: its scripts inlined under the nonce, nothing external', async () => {
    const pages = await loadPages()
    for (const type of OVERLAY_TYPES) {
      const nonce = newNonce()
      const html = pages.render(type, nonce)
      assert.match(html, /^<!doctype html>/)
      assert.doesNotMatch(html, /<!--@scripts-->/)
      assert.deepEqual(
        [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]),
        [`<script nonce="${nonce}">`],
      )
      assert.doesNotMatch(html, /\s(src|href)=["']?(https?:)?\/\//i, 'no external resource')
      assert.doesNotMatch(html, /@import|@font-face/)
      assert.match(html, /html, body \{[^}]*background: transparent/)
      assert.match(html, /@media \(max-width: 480px\), \(max-height: 200px\)/, 'a layout for a small corner source')
      const script = /<script[^>]*>([\s\S]*)<\/script>/.exec(html)![1]!
      assert.doesNotThrow(() => new Function(script), `${type}: the inlined scripts parse`)
    }
  })

  test('the page scripts cannot end the inline <script> early', () => {
    for (const file of ['client.js', ...OVERLAY_TYPES.map((t) => `${t}.js`)]) {
      assert.doesNotMatch(readFileSync(join(OVERLAY_DIR, file), 'utf8'), /<\/script/i, file)
    }
  })

  test('a page without the scripts marker is refused at load, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-overlay-'))
    try {
      cpSync(OVERLAY_DIR, dir, { recursive: true })
      writeFileSync(join(dir, 'ticker.html'), '<!doctype html><p>no scripts</p>')
      await assert.rejects(loadPages(`${dir}/`), /ticker\.html has no <!--@scripts--> marker/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('page headers: only the nonce script runs, no referrer leaves with the token', () => {
    const headers = pageHeaders('abc')
    assert.equal(headers['referrer-policy'], 'no-referrer')
    assert.match(headers['content-security-policy']!, /default-src 'none'/)
    assert.match(headers['content-security-policy']!, /script-src 'nonce-abc'(;|$)/)
    assert.equal(headers['cache-control'], 'no-store')
  })
})
