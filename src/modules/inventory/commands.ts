/**
 * `!inventory <add|checkout|checkin|delete|list|search|status|stats|labels|log>`: reading is for everyone;
 * changes need `manage_permission` (moderator by default, per community configurable). The router checks
 * only the command-level permission, so the subcommand level is checked here from the event's roles.
 */
import {
  type CommandContext,
  type CommandDefinition,
  permissionRank,
  type Reply,
  userLevel,
} from '../../runtime/module.js'
import { activityLine, clip, names, statsLine, statusLine, USAGE, whoMay, withHolder } from './replies.js'
import { type InventoryConfig, managePermission } from './settings.js'
import * as store from './store.js'
import { parseLabels, validName } from './validate.js'

/** What the module's setup builds. */
export interface InventoryState {
  readonly now: () => number
}

type Ctx = CommandContext<InventoryConfig, InventoryState>

const community = (ctx: Ctx) => ctx.request.entity.community_id
/** The storage for this community: writes mark it, so its next reads come from the primary (read-your-writes). */
const db = (ctx: Ctx) => ctx.storage.scope(`community:${community(ctx)}`)
const actor = (ctx: Ctx): store.Actor => ({
  id: ctx.request.user.id,
  name: ctx.request.user.display_name ?? ctx.request.user.name,
})

const CHANGES = new Set(['add', 'checkout', 'checkin', 'return', 'delete', 'remove', 'rm', 'labels', 'label'])

async function add(ctx: Ctx, args: readonly string[]): Promise<Reply> {
  const [name = '', description = '', ...rest] = args
  if (!name.trim()) return 'Usage: !inventory add <item> [description] [labels] (quote names with spaces)'
  const bad =
    validName(name) ??
    (description.length > store.DESCRIPTION_MAX
      ? `The description is longer than ${store.DESCRIPTION_MAX} characters.`
      : undefined)
  if (bad) return bad
  const labels = parseLabels(rest)
  if (typeof labels === 'string') return labels
  const result = await store.addItem(
    db(ctx),
    community(ctx),
    { name, description, labels },
    actor(ctx),
    ctx.state.now(),
  )
  if (result.kind === 'exists') return `${result.item.name} is already in the inventory.`
  const tail = labels.length ? ` [${labels.join(', ')}]` : ''
  return `Added ${result.item.name} to the inventory${tail}.`
}

async function checkout(ctx: Ctx, args: readonly string[]): Promise<Reply> {
  const [name = '', who = ''] = args
  const to = who.replace(/^@/, '').trim()
  if (!name.trim() || !to) return 'Usage: !inventory checkout <item> <user>'
  const result = await store.checkout(db(ctx), community(ctx), name, clip(to, 64), actor(ctx), ctx.state.now())
  if (result.kind === 'missing') return `No item called ${clip(name)} in the inventory.`
  if (result.kind === 'taken')
    return `${result.item.name} is already checked out to ${result.item.checked_out_to}; check it in first.`
  return `${result.item.name} is now checked out to ${to}.`
}

async function checkin(ctx: Ctx, args: readonly string[]): Promise<Reply> {
  const name = args.join(' ')
  if (!name.trim()) return 'Usage: !inventory checkin <item>'
  const result = await store.checkin(db(ctx), community(ctx), name, actor(ctx), ctx.state.now())
  if (result.kind === 'missing') return `No item called ${clip(name)} in the inventory.`
  if (result.kind === 'not_out') return `${result.item.name} is not checked out.`
  return `${result.item.name} is checked in (it was with ${result.from}).`
}

async function remove(ctx: Ctx, args: readonly string[]): Promise<Reply> {
  const name = args.join(' ')
  if (!name.trim()) return 'Usage: !inventory delete <item>'
  const result = await store.deleteItem(db(ctx), community(ctx), name, actor(ctx), ctx.state.now())
  if (result.kind === 'missing') return `No item called ${clip(name)} in the inventory.`
  if (result.kind === 'checked_out')
    return `${result.item.name} is checked out to ${result.item.checked_out_to}; check it in before deleting it.`
  return `Deleted ${result.item.name} from the inventory.`
}

async function list(ctx: Ctx, args: readonly string[]): Promise<Reply> {
  const word = (args[0] ?? 'all').toLowerCase().replace(/[-_ ]/g, '')
  const filter = word === 'out' ? 'checkedout' : word
  if (filter !== 'all' && filter !== 'available' && filter !== 'checkedout')
    return 'Usage: !inventory list [all|available|checkedout]'
  const items = await store.listItems(db(ctx).replica, community(ctx), filter)
  const what = { all: 'items', available: 'available items', checkedout: 'checked-out items' }[filter]
  if (items.length === 0)
    return filter === 'all' ? 'The inventory is empty. Add items with !inventory add <item>.' : `No ${what}.`
  return `${items.length} ${what}: ${names(items, ctx.config.list_limit, filter === 'available' ? (i) => i.name : withHolder)}`
}

async function search(ctx: Ctx, args: readonly string[]): Promise<Reply> {
  const query = args.join(' ').trim()
  if (!query) return 'Usage: !inventory search <words>'
  const items = await store.searchItems(db(ctx).replica, community(ctx), query)
  if (items.length === 0) return `Nothing in the inventory matches "${clip(query, 40)}".`
  return `${items.length} found: ${names(items, ctx.config.list_limit, withHolder)}`
}

async function status(ctx: Ctx, args: readonly string[]): Promise<Reply> {
  const name = args.join(' ')
  if (!name.trim()) return 'Usage: !inventory status <item>'
  const item = await store.findItem(db(ctx).replica, community(ctx), name)
  return item ? statusLine(item, ctx.state.now()) : `No item called ${clip(name)} in the inventory.`
}

async function labels(ctx: Ctx, args: readonly string[]): Promise<Reply> {
  const [name = '', verb = '', raw = ''] = args
  const usage = 'Usage: !inventory labels <item> add|remove <label>'
  if (!name.trim()) return usage
  if (!verb) {
    const item = await store.findItem(db(ctx).replica, community(ctx), name)
    if (!item) return `No item called ${clip(name)} in the inventory.`
    return item.labels.length ? `${item.name} labels: ${item.labels.join(', ')}` : `${item.name} has no labels.`
  }
  const action = verb.toLowerCase() === 'rm' ? 'remove' : verb.toLowerCase()
  if ((action !== 'add' && action !== 'remove') || !raw) return usage
  const label = raw.toLowerCase()
  if (!store.LABEL_PATTERN.test(label)) return `"${clip(raw, 40)}" is not a label: use 1–32 letters, digits, - or _.`
  const result = await store.changeLabel(db(ctx), community(ctx), name, { action, label }, actor(ctx), ctx.state.now())
  switch (result.kind) {
    case 'missing':
      return `No item called ${clip(name)} in the inventory.`
    case 'full':
      return `${result.item.name} already has ${store.MAX_LABELS} labels (${result.item.labels.join(', ')}); remove one first.`
    case 'unchanged':
      return action === 'add'
        ? `${result.item.name} already has the label ${label}.`
        : `${result.item.name} has no label ${label}.`
    case 'ok':
      return `${result.item.name} labels: ${result.item.labels.join(', ') || 'none'}.`
  }
}

async function history(ctx: Ctx, args: readonly string[]): Promise<Reply> {
  const item = args.join(' ').trim() || undefined
  const entries = await store.activity(db(ctx).replica, community(ctx), { item, limit: 5 })
  if (entries.length === 0) return item ? `No activity for ${clip(item)}.` : 'No inventory activity yet.'
  return `Latest: ${activityLine(entries)}.`
}

function run(ctx: Ctx): Promise<Reply> | Reply {
  const [sub = '', ...rest] = ctx.args
  const verb = sub.toLowerCase()
  const viewsLabels = (verb === 'labels' || verb === 'label') && rest.length < 2
  if (CHANGES.has(verb) && !viewsLabels) {
    const needed = managePermission(ctx.config, community(ctx))
    if (userLevel(ctx.request.user.roles) < permissionRank(needed)) {
      return `Only ${whoMay(needed)} can change the inventory; anyone can use list, search, status and stats.`
    }
  }
  switch (verb) {
    case 'add':
      return add(ctx, rest)
    case 'checkout':
      return checkout(ctx, rest)
    case 'checkin':
    case 'return':
      return checkin(ctx, rest)
    case 'delete':
    case 'remove':
    case 'rm':
      return remove(ctx, rest)
    case 'list':
      return list(ctx, rest)
    case 'search':
      return search(ctx, rest)
    case 'status':
      return status(ctx, rest)
    case 'stats':
      return stats(ctx)
    case 'labels':
    case 'label':
      return labels(ctx, rest)
    case 'log':
    case 'history':
      return history(ctx, rest)
    default:
      return USAGE
  }
}

async function stats(ctx: Ctx): Promise<Reply> {
  return statsLine(await store.stats(db(ctx).replica, community(ctx)))
}

export function inventoryCommands(): CommandDefinition<InventoryConfig, InventoryState>[] {
  return [
    {
      name: 'inventory',
      aliases: ['inv'],
      summary: 'Item tracking: add, checkout, checkin, delete, list, search, status, stats, labels, log',
      usage: '<add|checkout|checkin|delete|list|search|status|stats|labels|log> …',
      run,
    },
  ]
}
