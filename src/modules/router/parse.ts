/** Command detection: `!word args…` (local) or `#word args…` (community); quoted strings stay one argument. */
export interface ParsedCommand {
  readonly prefix: '!' | '#'
  /** Lower-cased first word after the prefix. */
  readonly name: string
  readonly args: string[]
}

export function parseCommand(message: string | undefined): ParsedCommand | undefined {
  if (!message) return undefined
  const text = message.trimStart()
  const prefix = text[0]
  if ((prefix !== '!' && prefix !== '#') || !text[1] || /\s/.test(text[1])) return undefined
  // The name is the word right after the prefix, ended by whitespace: `!ping"x` is not `!pingx`.
  const name = /^[\p{L}\p{N}_-]+(?=\s|$)/u.exec(text.slice(1))?.[0]
  if (name === undefined) return undefined
  return { prefix, name: name.toLowerCase(), args: splitArgs(text.slice(1 + name.length)) }
}

/** Splits on whitespace, keeping "double" or 'single' quoted runs (quotes removed) as one argument. */
export function splitArgs(text: string): string[] {
  const out: string[] = []
  let current = ''
  let quote: '"' | "'" | '“' | undefined
  let inWord = false
  for (const ch of text) {
    if (quote) {
      if (ch === quote || (quote === '“' && ch === '”')) quote = undefined
      else current += ch
    } else if (ch === '"' || ch === "'" || ch === '“') {
      if (ch === "'" && inWord)
        current += ch // an apostrophe inside a word: don't
      else {
        quote = ch
        inWord = true
      }
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(current)
      current = ''
      inWord = false
    } else {
      current += ch
      inWord = true
    }
  }
  if (inWord) out.push(current)
  return out
}
