/** The inventory's chat lines: one line each, names clipped, lists capped with "+N more". */
import type { PermissionLevel } from '../../runtime/module.js'
import type { Activity, Item, Stats } from './store.js'

export const USAGE =
  'Usage: !inventory <add|checkout|checkin|delete|list|search|status|stats|labels|log> … (e.g. !inventory add "HDMI cable" "2 m, black" av)'

export const clip = (s: string, n = 60): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

/** "moderators and above", "everyone", "the broadcaster". */
export function whoMay(level: PermissionLevel): string {
  if (level === 'everyone') return 'everyone'
  if (level === 'broadcaster') return 'the broadcaster'
  return `${level === 'vip' ? 'VIP' : level}s and above`
}

export function names(items: readonly Item[], limit: number, show: (i: Item) => string): string {
  const shown = items.slice(0, limit).map(show).join(', ')
  return items.length > limit ? `${shown} (+${items.length - limit} more)` : shown
}

export const withHolder = (i: Item): string => (i.checked_out_to ? `${i.name} (out: ${i.checked_out_to})` : i.name)

const ago = (ms: number): string => {
  const m = Math.max(0, Math.round(ms / 60_000))
  if (m < 60) return `${m} min`
  const h = Math.round(m / 60)
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} d`
}

export function statusLine(item: Item, now: number): string {
  const labels = item.labels.length ? ` [${item.labels.join(', ')}]` : ''
  const desc = item.description ? ` — ${clip(item.description, 80)}` : ''
  const state = item.checked_out_to
    ? `checked out to ${item.checked_out_to} by ${item.checked_out_by} ${ago(now - (item.checked_out_at ?? now))} ago`
    : 'available'
  return `${item.name}${desc}${labels}: ${state}.`
}

export function statsLine(s: Stats): string {
  const top = s.most_borrowed ? ` Most borrowed: ${s.most_borrowed.name} (${s.most_borrowed.times}×).` : ''
  return `Inventory: ${s.total} items, ${s.available} available, ${s.checked_out} checked out; ${s.checkouts} check-outs in all.${top}`
}

const ACTIONS: Record<string, (a: Activity) => string> = {
  add: (a) => `${a.actor_name} added ${a.item_name}`,
  checkout: (a) => `${a.actor_name} checked ${a.item_name} out to ${a.detail}`,
  checkin: (a) => `${a.actor_name} checked ${a.item_name} in (from ${a.detail})`,
  delete: (a) => `${a.actor_name} deleted ${a.item_name}`,
  'label-add': (a) => `${a.actor_name} labelled ${a.item_name} ${a.detail}`,
  'label-remove': (a) => `${a.actor_name} removed label ${a.detail} from ${a.item_name}`,
}

export const activityLine = (entries: readonly Activity[]): string =>
  entries
    .map((a) => (ACTIONS[a.action] ?? ((x: Activity) => `${x.actor_name} ${x.action} ${x.item_name}`))(a))
    .join('; ')
