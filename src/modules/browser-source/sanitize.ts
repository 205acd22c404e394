/**
 * The HTML sanitizer of general overlays. Module-supplied HTML is rebuilt from an allowlist: known tags keep
 * known attributes (values re-quoted and escaped), everything else is dropped; script-like elements are
 * dropped WITH their content; comments, doctypes and processing instructions vanish; URLs must be http(s) or
 * raster/SVG `data:image/…`; `style` attributes pass through {@link sanitizeStyle}. Text is re-escaped, so
 * the output never opens a tag the allowlist did not produce. The overlay page also sends a CSP that forbids
 * any script but its own, as a second line of defence.
 */

const ALLOWED_TAGS = new Set([
  'b',
  'i',
  'em',
  'strong',
  'u',
  's',
  'small',
  'mark',
  'sub',
  'sup',
  'code',
  'pre',
  'br',
  'hr',
  'p',
  'span',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'ul',
  'ol',
  'li',
  'blockquote',
  'img',
  'figure',
  'figcaption',
])
const VOID_TAGS = new Set(['br', 'hr', 'img'])
/** Elements whose whole content is dropped with them. */
const DROP_WITH_CONTENT = new Set([
  'script',
  'style',
  'iframe',
  'object',
  'template',
  'noscript',
  'textarea',
  'title',
  'xmp',
  'svg',
  'math',
  'select',
  'noembed',
  'noframes',
  'frameset',
  'plaintext',
  'applet',
  'audio',
  'video',
  'canvas',
  'head',
])
const GLOBAL_ATTRS = new Set(['class', 'title', 'style', 'dir', 'lang'])
const TAG_ATTRS: Record<string, ReadonlySet<string>> = { img: new Set(['src', 'alt', 'width', 'height']) }
const URL_ATTRS = new Set(['src'])

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  colon: ':',
  tab: '\t',
  newline: '\n',
  sol: '/',
  lpar: '(',
  rpar: ')',
}

/** Decodes character references (numeric and the few named ones that matter for URL checks). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10)
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd'
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole
  })
}

/** Escapes text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: browsers ignore these inside a scheme
const IGNORED_IN_SCHEME = /[\u0000-\u0020\u007f-\u009f]/g

/** True for http(s) URLs and `data:image/(png|jpeg|gif|webp|svg+xml)` URLs, after entity decoding. */
export function isSafeUrl(raw: string): boolean {
  const url = decodeEntities(raw).replace(IGNORED_IN_SCHEME, '').toLowerCase()
  if (/^https?:\/\//.test(url)) return true
  return /^data:image\/(png|jpeg|jpg|gif|webp|svg\+xml)[;,]/.test(url)
}

const STYLE_PROPS = new Set([
  'color',
  'background',
  'background-color',
  'opacity',
  'font-size',
  'font-weight',
  'font-style',
  'font-family',
  'text-align',
  'text-decoration',
  'text-transform',
  'text-shadow',
  'letter-spacing',
  'line-height',
  'white-space',
  'padding',
  'padding-top',
  'padding-right',
  'padding-bottom',
  'padding-left',
  'margin',
  'margin-top',
  'margin-right',
  'margin-bottom',
  'margin-left',
  'border',
  'border-color',
  'border-width',
  'border-style',
  'border-radius',
  'box-shadow',
  'width',
  'height',
  'max-width',
  'max-height',
  'min-width',
  'min-height',
  'display',
  'gap',
  'justify-content',
  'align-items',
  'flex-direction',
  'vertical-align',
])
const UNITLESS = new Set(['opacity', 'font-weight', 'line-height'])
const SAFE_VALUE = /^[#\w\s.,%()+\-'"!/]*$/

/** One style value, or undefined when it is not allowed (URLs, expressions, escapes, markup). */
function safeStyleValue(prop: string, value: unknown): string | undefined {
  let text: string
  if (typeof value === 'number' && Number.isFinite(value)) text = UNITLESS.has(prop) ? String(value) : `${value}px`
  else if (typeof value === 'string') text = value.trim()
  else return undefined
  if (text === '' || text.length > 200 || !SAFE_VALUE.test(text)) return undefined
  if (/url\s*\(|expression|javascript|image-set|@import|\/\*/i.test(text)) return undefined
  return text
}

/**
 * Sanitizes a style: a `style` attribute string or a `{property: value}` object (camelCase or kebab-case
 * keys, numbers become px unless unitless). Returns the kept declarations as a kebab-case object.
 */
export function sanitizeStyle(style: string | Readonly<Record<string, unknown>>): Record<string, string> {
  const entries: [string, unknown][] =
    typeof style === 'string'
      ? style.split(';').map((decl) => {
          const i = decl.indexOf(':')
          return i < 0 ? ['', ''] : [decl.slice(0, i), decl.slice(i + 1)]
        })
      : Object.entries(style)
  const out: Record<string, string> = {}
  for (const [key, value] of entries) {
    const prop = key
      .trim()
      .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
      .toLowerCase()
    if (!STYLE_PROPS.has(prop)) continue
    const safe = safeStyleValue(prop, value)
    if (safe !== undefined) out[prop] = safe
  }
  return out
}

/** A sanitized style object as the text of a `style` attribute. */
export function styleText(style: Readonly<Record<string, string>>): string {
  return Object.entries(style)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ')
}

const ATTR_RE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g

function sanitizeAttrs(tag: string, source: string): string {
  let out = ''
  const seen = new Set<string>()
  for (const m of source.matchAll(ATTR_RE)) {
    const name = m[1]!.toLowerCase()
    if (seen.has(name) || !(GLOBAL_ATTRS.has(name) || TAG_ATTRS[tag]?.has(name))) continue
    seen.add(name)
    let value = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '')
    if (URL_ATTRS.has(name) && !isSafeUrl(value)) continue
    if (name === 'style') value = styleText(sanitizeStyle(value))
    if ((name === 'width' || name === 'height') && !/^\d{1,4}%?$/.test(value)) continue
    if (name === 'style' && value === '') continue
    out += ` ${name}="${escapeHtml(value)}"`
  }
  return out
}

/** Escapes `&` only when it does not start a character reference. */
function escapeText(text: string): string {
  return text
    .replace(/&(?!(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);)/gi, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
}

const TAG_RE = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/

/** Sanitizes module-supplied HTML for a general overlay (see the module comment for the rules). */
export function sanitizeHtml(input: string): string {
  let out = ''
  const open: string[] = []
  let i = 0
  while (i < input.length) {
    const lt = input.indexOf('<', i)
    if (lt < 0) {
      out += escapeText(input.slice(i))
      break
    }
    out += escapeText(input.slice(i, lt))
    const rest = input.slice(lt)
    if (rest.startsWith('<!--')) {
      const end = input.indexOf('-->', lt + 4)
      i = end < 0 ? input.length : end + 3
      continue
    }
    if (/^<[!?]/.test(rest) || /^<\/[^a-zA-Z]/.test(rest)) {
      const end = input.indexOf('>', lt)
      i = end < 0 ? input.length : end + 1
      continue
    }
    const m = TAG_RE.exec(rest)
    if (!m) {
      out += '&lt;'
      i = lt + 1
      continue
    }
    i = lt + m[0].length
    const closing = m[1] === '/'
    const tag = m[2]!.toLowerCase()
    if (DROP_WITH_CONTENT.has(tag)) {
      if (!closing && !/\/\s*$/.test(m[3]!)) {
        const close = new RegExp(`</${tag}\\s*>`, 'i').exec(input.slice(i))
        i = close ? i + close.index + close[0].length : input.length
      }
      continue
    }
    if (!ALLOWED_TAGS.has(tag)) continue
    if (closing) {
      const at = open.lastIndexOf(tag)
      if (at < 0) continue
      while (open.length > at) out += `</${open.pop()}>`
      continue
    }
    out += `<${tag}${sanitizeAttrs(tag, m[3]!)}>`
    if (!VOID_TAGS.has(tag)) open.push(tag)
  }
  while (open.length > 0) out += `</${open.pop()}>`
  return out
}
