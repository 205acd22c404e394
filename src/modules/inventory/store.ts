/**
 * The inventory of each community, in `inventory_items`, and its activity log, `inventory_activity`.
 * Every change runs in one transaction that writes its log row with it. A check-out is one conditional
 * update (only an item that is not out), and a label change first bumps the item's `version`, which locks
 * the row on Postgres until commit (SQLite runs one write transaction at a time): concurrent label
 * requests never take an item past its limit.
 */
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable, Storage, Transaction } from '../../runtime/storage/types.js'

export const MAX_LABELS = 5
export const NAME_MAX = 64
export const DESCRIPTION_MAX = 300
export const LABEL_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/

export interface Item {
  readonly id: number
  readonly community_id: string
  readonly name: string
  readonly description: string
  readonly labels: readonly string[]
  readonly checked_out_to: string | null
  readonly checked_out_by: string | null
  readonly checked_out_at: number | null
  readonly checked_in_at: number | null
  readonly created_by: string
  readonly created_at: number
}

export interface Activity {
  readonly id: number
  readonly item_name: string
  readonly action: string
  readonly actor_name: string
  readonly detail: string
  readonly at: number
}

/** Who made a change. */
export interface Actor {
  readonly id: string
  readonly name: string
}

export type ListFilter = 'all' | 'available' | 'checkedout'

interface ItemRow extends Omit<Item, 'labels'> {
  readonly labels: string
}

const num = (v: unknown): number => Number(v)
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

function toItem(row: ItemRow): Item {
  return {
    ...row,
    id: num(row.id),
    labels: JSON.parse(row.labels) as string[],
    checked_out_at: numOrNull(row.checked_out_at),
    checked_in_at: numOrNull(row.checked_in_at),
    created_at: num(row.created_at),
  }
}

export const nameKey = (name: string): string => name.trim().toLowerCase()

async function log(tx: Queryable, item: Item, action: string, actor: Actor, detail: string, now: number) {
  await tx.execute(sql`insert into inventory_activity
    (community_id, item_id, item_name, action, actor_id, actor_name, detail, at)
    values (${item.community_id}, ${item.id}, ${item.name}, ${action}, ${actor.id}, ${actor.name}, ${detail}, ${now})`)
}

export async function findItem(db: Queryable, communityId: string, name: string): Promise<Item | undefined> {
  const row = await db.one<ItemRow>(
    sql`select * from inventory_items where community_id = ${communityId} and name_key = ${nameKey(name)}`,
  )
  return row ? toItem(row) : undefined
}

export type AddResult =
  | { readonly kind: 'added'; readonly item: Item }
  | { readonly kind: 'exists'; readonly item: Item }

export async function addItem(
  db: Storage,
  communityId: string,
  input: { readonly name: string; readonly description: string; readonly labels: readonly string[] },
  actor: Actor,
  now: number,
): Promise<AddResult> {
  return db.transaction(async (tx) => {
    const row = await tx.one<ItemRow>(sql`insert into inventory_items
      (community_id, name, name_key, description, labels, created_by, created_at)
      values (${communityId}, ${input.name.trim()}, ${nameKey(input.name)}, ${input.description},
        ${JSON.stringify(input.labels)}, ${actor.name}, ${now})
      on conflict (community_id, name_key) do nothing
      returning *`)
    if (!row) return { kind: 'exists', item: (await findItem(tx, communityId, input.name))! }
    const item = toItem(row)
    await log(tx, item, 'add', actor, input.description, now)
    return { kind: 'added', item }
  })
}

export type CheckoutResult =
  | { readonly kind: 'ok'; readonly item: Item }
  | { readonly kind: 'missing' }
  | { readonly kind: 'taken'; readonly item: Item }

export async function checkout(
  db: Storage,
  communityId: string,
  name: string,
  to: string,
  actor: Actor,
  now: number,
): Promise<CheckoutResult> {
  return db.transaction(async (tx) => {
    const row = await tx.one<ItemRow>(sql`update inventory_items
      set checked_out_to = ${to}, checked_out_by = ${actor.name}, checked_out_at = ${now}, version = version + 1
      where community_id = ${communityId} and name_key = ${nameKey(name)} and checked_out_to is null
      returning *`)
    if (!row) {
      const item = await findItem(tx, communityId, name)
      return item ? { kind: 'taken', item } : { kind: 'missing' }
    }
    const item = toItem(row)
    await log(tx, item, 'checkout', actor, to, now)
    return { kind: 'ok', item }
  })
}

export type CheckinResult =
  | { readonly kind: 'ok'; readonly item: Item; readonly from: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'not_out'; readonly item: Item }

export async function checkin(
  db: Storage,
  communityId: string,
  name: string,
  actor: Actor,
  now: number,
): Promise<CheckinResult> {
  return db.transaction(async (tx) => {
    const before = await lockItem(tx, communityId, name)
    if (!before) return { kind: 'missing' }
    if (before.checked_out_to === null) return { kind: 'not_out', item: before }
    const row = await tx.one<ItemRow>(sql`update inventory_items
      set checked_out_to = null, checked_out_by = null, checked_out_at = null, checked_in_at = ${now}
      where id = ${before.id} returning *`)
    const item = toItem(row!)
    await log(tx, item, 'checkin', actor, before.checked_out_to, now)
    return { kind: 'ok', item, from: before.checked_out_to }
  })
}

export type DeleteResult =
  | { readonly kind: 'ok'; readonly item: Item }
  | { readonly kind: 'missing' }
  | { readonly kind: 'checked_out'; readonly item: Item }

export async function deleteItem(
  db: Storage,
  communityId: string,
  name: string,
  actor: Actor,
  now: number,
): Promise<DeleteResult> {
  return db.transaction(async (tx) => {
    const item = await lockItem(tx, communityId, name)
    if (!item) return { kind: 'missing' }
    if (item.checked_out_to !== null) return { kind: 'checked_out', item }
    await tx.execute(sql`delete from inventory_items where id = ${item.id}`)
    await log(tx, item, 'delete', actor, '', now)
    return { kind: 'ok', item }
  })
}

export type LabelResult =
  | { readonly kind: 'ok'; readonly item: Item }
  | { readonly kind: 'missing' }
  | { readonly kind: 'full'; readonly item: Item }
  | { readonly kind: 'unchanged'; readonly item: Item }

/** Adds or removes one label; `unchanged` when the item already has it (add) or lacks it (remove). */
export async function changeLabel(
  db: Storage,
  communityId: string,
  name: string,
  change: { readonly action: 'add' | 'remove'; readonly label: string },
  actor: Actor,
  now: number,
): Promise<LabelResult> {
  return db.transaction(async (tx) => {
    const item = await lockItem(tx, communityId, name)
    if (!item) return { kind: 'missing' }
    const has = item.labels.includes(change.label)
    if (change.action === 'add' ? has : !has) return { kind: 'unchanged', item }
    if (change.action === 'add' && item.labels.length >= MAX_LABELS) return { kind: 'full', item }
    const labels =
      change.action === 'add' ? [...item.labels, change.label] : item.labels.filter((l) => l !== change.label)
    const row = await tx.one<ItemRow>(
      sql`update inventory_items set labels = ${JSON.stringify(labels)} where id = ${item.id} returning *`,
    )
    const updated = toItem(row!)
    await log(tx, updated, `label-${change.action}`, actor, change.label, now)
    return { kind: 'ok', item: updated }
  })
}

/** Bumps the item's version (taking its row lock on Postgres) and reads it as it is now. */
async function lockItem(tx: Transaction, communityId: string, name: string): Promise<Item | undefined> {
  const row = await tx.one<ItemRow>(sql`update inventory_items set version = version + 1
    where community_id = ${communityId} and name_key = ${nameKey(name)} returning *`)
  return row ? toItem(row) : undefined
}

const FILTERS: Record<ListFilter, ReturnType<typeof sql>> = {
  all: sql``,
  available: sql`and checked_out_to is null`,
  checkedout: sql`and checked_out_to is not null`,
}

export async function listItems(db: Queryable, communityId: string, filter: ListFilter): Promise<Item[]> {
  const rows = await db.query<ItemRow>(
    sql`select * from inventory_items where community_id = ${communityId} ${FILTERS[filter]} order by name_key`,
  )
  return rows.map(toItem)
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

/** Items whose name, description or labels contain `query` (case-insensitive). */
export async function searchItems(db: Queryable, communityId: string, query: string): Promise<Item[]> {
  const pattern = `%${likeEscape(query.toLowerCase())}%`
  const rows = await db.query<ItemRow>(sql`select * from inventory_items where community_id = ${communityId}
    and (name_key like ${pattern} escape '\\' or lower(description) like ${pattern} escape '\\'
      or lower(labels) like ${pattern} escape '\\')
    order by name_key`)
  return rows.map(toItem)
}

export interface Stats {
  readonly total: number
  readonly checked_out: number
  readonly available: number
  readonly checkouts: number
  readonly most_borrowed: { readonly name: string; readonly times: number } | null
}

export async function stats(db: Queryable, communityId: string): Promise<Stats> {
  const counts = await db.one<{ total: unknown; out: unknown }>(sql`select count(*) as total,
    coalesce(sum(case when checked_out_to is not null then 1 else 0 end), 0) as out
    from inventory_items where community_id = ${communityId}`)
  const top = await db.query<{ item_name: string; n: unknown }>(sql`select item_name, count(*) as n
    from inventory_activity where community_id = ${communityId} and action = 'checkout'
    group by item_name order by count(*) desc, item_name limit 1`)
  const all = await db.one<{ n: unknown }>(
    sql`select count(*) as n from inventory_activity where community_id = ${communityId} and action = 'checkout'`,
  )
  const total = num(counts?.total ?? 0)
  const out = num(counts?.out ?? 0)
  const first = top[0]
  return {
    total,
    checked_out: out,
    available: total - out,
    checkouts: num(all?.n ?? 0),
    most_borrowed: first ? { name: first.item_name, times: num(first.n) } : null,
  }
}

/** The latest activity of a community (or of one item name), newest first. */
export async function activity(
  db: Queryable,
  communityId: string,
  options: { readonly item?: string | undefined; readonly limit: number },
): Promise<Activity[]> {
  const forItem = options.item ? sql`and lower(item_name) = ${nameKey(options.item)}` : sql``
  const rows = await db.query<Activity>(sql`select id, item_name, action, actor_name, detail, at
    from inventory_activity where community_id = ${communityId} ${forItem} order by id desc limit ${options.limit}`)
  return rows.map((r) => ({ ...r, id: num(r.id), at: num(r.at) }))
}
