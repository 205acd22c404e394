import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isSafeUrl, sanitizeHtml, sanitizeStyle } from './sanitize.js'

describe('sanitizeHtml', () => {
  test('keeps allowed markup and text', () => {
    assert.equal(
      sanitizeHtml('<h2>Raid from <b>Ann</b></h2><p>Thanks &amp; welcome!</p>'),
      '<h2>Raid from <b>Ann</b></h2><p>Thanks &amp; welcome!</p>',
    )
    assert.equal(
      sanitizeHtml('<img src="https://cdn.test/a.png" alt="A" width="64" height="64">'),
      '<img src="https://cdn.test/a.png" alt="A" width="64" height="64">',
    )
    assert.equal(sanitizeHtml('1 < 2 and 3 > 2 & so on'), '1 &lt; 2 and 3 &gt; 2 &amp; so on')
    assert.equal(sanitizeHtml(''), '')
  })

  const nasty: [string, string][] = [
    ['<script>alert(1)</script>ok', 'ok'],
    ['<SCRIPT SRC=//evil.test/x.js></SCRIPT>ok', 'ok'],
    ['<script>document.write("<b>")</script  >ok', 'ok'],
    ['<script>never closed <b>x</b>', ''],
    ['<img src=x onerror=alert(1)>', '<img>'],
    ['<img src="javascript:alert(1)">', '<img>'],
    ['<img src="jav&#x09;ascript:alert(1)">', '<img>'],
    ['<img src="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">', '<img>'],
    ['<img src=" javascript:alert(1)">', '<img>'],
    ['<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">', '<img>'],
    ['<img src="vbscript:msgbox(1)">', '<img>'],
    ['<IMG """><SCRIPT>alert("XSS")</SCRIPT>">', '<img>'],
    ['<a href="javascript:alert(1)">click</a>', 'click'],
    ['<svg onload=alert(1)><circle/></svg>after', 'after'],
    ['<svg/onload=alert(1)>after', ''],
    ['<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', ''],
    ['<iframe src="https://evil.test"></iframe>x', 'x'],
    ['<style>body{background:url(javascript:alert(1))}</style>x', 'x'],
    ['<div style="background:url(javascript:alert(1)); color: red">x</div>', '<div style="color: red">x</div>'],
    ['<div style="width: expression(alert(1))">x</div>', '<div>x</div>'],
    ['<div style="color: re\\64">x</div>', '<div>x</div>'],
    ['<p onmouseover="alert(1)" ONCLICK=alert(1) class="big">x</p>', '<p class="big">x</p>'],
    ['<p title="a&quot; onmouseover=&quot;alert(1)">x</p>', '<p title="a&quot; onmouseover=&quot;alert(1)">x</p>'],
    [
      "<p title='\"><script>alert(1)</script>'>x</p>",
      '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">x</p>',
    ],
    ['<!-- <script>alert(1)</script> -->x', 'x'],
    ['<!--><script>alert(1)</script>-->x', 'x'],
    ['<![CDATA[<script>alert(1)</script>]]>x', 'alert(1)]]&gt;x'],
    ['<scr<script>ipt>alert(1)</script>', 'ipt&gt;alert(1)'],
    ['<<script>script>alert(1)</script>', '&lt;'],
    ['<img src=x onerror=alert(1)//', '&lt;img src=x onerror=alert(1)//'],
    ['</div><b>x', '<b>x</b>'],
    ['<b><i>x</b>y</i>', '<b><i>x</i></b>y'],
    ['<object data="x.swf"></object><embed src="x.swf">x', 'x'],
    ['<form action="https://evil.test"><input name=a></form>x', 'x'],
    ['<base href="https://evil.test/">x', 'x'],
    ['<meta http-equiv="refresh" content="0;url=javascript:alert(1)">x', 'x'],
    ['<template><img src=x onerror=alert(1)></template>x', 'x'],
    ['<noscript><p title="</noscript><img src=x onerror=alert(1)>">', '<img>"&gt;'],
    ['<textarea><img src=x onerror=alert(1)></textarea>x', 'x'],
  ]
  for (const [input, expected] of nasty) {
    test(`neutralizes ${JSON.stringify(input).slice(0, 70)}`, () => {
      const out = sanitizeHtml(input)
      assert.equal(out, expected)
      assert.doesNotMatch(out, /<(script|svg|iframe|style|math|object|embed|a|form|base|meta|template)\b/i)
      const tags = out.replace(/"[^"]*"/g, '""')
      assert.doesNotMatch(tags, /<[^>]*\son\w+\s*=/i, 'no event handler attribute')
      assert.doesNotMatch(tags, /<[^>]*javascript:/i)
    })
  }

  test('the output is stable: sanitizing it again changes nothing', () => {
    for (const [input] of nasty) {
      const once = sanitizeHtml(input)
      assert.equal(sanitizeHtml(once), once, input)
    }
  })
})

describe('isSafeUrl and sanitizeStyle', () => {
  test('URLs: http(s) and data:image only', () => {
    for (const ok of [
      'https://i.ytimg.com/vi/x/hq.jpg',
      'http://127.0.0.1:9/a.png',
      'data:image/png;base64,iVBORw0KGgo=',
      'data:image/svg+xml,%3Csvg%3E',
    ])
      assert.ok(isSafeUrl(ok), ok)
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'java\nscript:alert(1)',
      'data:text/html,<b>',
      '//evil.test/x.png',
      'file:///etc/passwd',
      'blob:https://x/y',
      '',
    ])
      assert.ok(!isSafeUrl(bad), bad)
  })

  test('styles: known properties with plain values; camelCase and numbers accepted', () => {
    assert.deepEqual(
      sanitizeStyle({
        color: '#ff0',
        fontSize: 32,
        fontWeight: 700,
        opacity: 0.5,
        position: 'fixed',
        background: 'url(https://x/y.png)',
      }),
      {
        color: '#ff0',
        'font-size': '32px',
        'font-weight': '700',
        opacity: '0.5',
      },
    )
    assert.deepEqual(
      sanitizeStyle('color: red; behavior: url(x.htc); text-align: center; border: 1px solid rgb(1, 2, 3)'),
      {
        color: 'red',
        'text-align': 'center',
        border: '1px solid rgb(1, 2, 3)',
      },
    )
    assert.deepEqual(
      sanitizeStyle({ color: 'red;} body {display:none' as string, width: { toString: () => '1px' } }),
      {},
    )
  })
})
