/** The chat line of a shoutout: a community's template with `{name}`, `{game}`, `{title}`, `{url}`, `{clip}`. */

export const TEMPLATE_FIELDS: readonly string[] = ['name', 'game', 'title', 'url', 'clip']

export interface TemplateValues {
  readonly name: string
  readonly game: string
  readonly title: string
  readonly url: string
  readonly clip: string
}

/** Chat platforms cut longer lines; Twitch's limit is 500. */
export const MAX_LINE = 500

/** Fills the template; an empty game reads "something new", an empty clip or title leaves nothing. */
export function renderTemplate(template: string, values: TemplateValues): string {
  const filled: Record<string, string> = { ...values, game: values.game || 'something new' }
  const line = template
    .replace(/\{(\w+)\}/g, (whole, key: string) => filled[key] ?? whole)
    .replace(/\s+/g, ' ')
    .trim()
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line
}
