/** Input rules shared by the chat commands and the REST API: item names and labels. */
import { LABEL_PATTERN, MAX_LABELS, NAME_MAX } from './store.js'

/** undefined when `name` is a valid item name, else the reason as a chat line. */
export function validName(name: string): string | undefined {
  const trimmed = name.trim()
  if (!trimmed) return 'The item name is empty.'
  if (trimmed.length > NAME_MAX) return `Item names are at most ${NAME_MAX} characters.`
  if ([...trimmed].some((c) => c.charCodeAt(0) < 32)) return 'Item names cannot contain control characters.'
  return undefined
}

/** Labels from words and comma lists (`av cables` or `av,cables`), lower-cased and de-duplicated; or why not. */
export function parseLabels(words: readonly string[]): string[] | string {
  const labels = [
    ...new Set(
      words
        .flatMap((w) => w.split(','))
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean),
    ),
  ]
  const bad = labels.find((l) => !LABEL_PATTERN.test(l))
  if (bad) return `"${bad.slice(0, 40)}" is not a label: use 1–32 letters, digits, - or _.`
  if (labels.length > MAX_LABELS) return `An item has at most ${MAX_LABELS} labels (you gave ${labels.length}).`
  return labels
}
