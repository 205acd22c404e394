/**
 * Quotes and memos share one shape: rows numbered per community (#1, #2, …), soft-deleted so a number is never
 * given twice. The next number is `max + 1` inside a transaction; two writers that pick the same number (two
 * processes on Postgres) collide on `unique (community_id, number)` and the loser retries.
 */
import { sql } from '../../runtime/storage/sql.js'
import type { Sql, Storage } from '../../runtime/storage/types.js'

export type NumberedTable = 'memories_quotes' | 'memories_memos'

const isUniqueViolation = (e: unknown) =>
  /unique|duplicate key/i.test((e as Error).message ?? '') || (e as { code?: string }).code === '23505'

/** Inserts one row with the community's next number; returns the number. `columns` / `values` exclude both. */
export async function insertNumbered(
  storage: Storage,
  table: NumberedTable,
  communityId: string,
  columns: readonly string[],
  values: readonly unknown[],
): Promise<number> {
  const t = sql.raw(table)
  const names = sql.raw(columns.join(', '))
  for (let attempt = 0; ; attempt++) {
    try {
      return await storage.transaction(async (tx) => {
        const row = await tx.one<{ n: number | null }>(
          sql`select max(number) as n from ${t} where community_id = ${communityId}`,
        )
        const next = Number(row?.n ?? 0) + 1
        await tx.execute(
          sql`insert into ${t} (community_id, number, ${names}) values (${communityId}, ${next}, ${sql.join(values)})`,
        )
        return next
      })
    } catch (error) {
      if (attempt >= 5 || !isUniqueViolation(error)) throw error
    }
  }
}

/** Marks #number deleted; true when it existed and was live. */
export async function deleteNumbered(
  storage: Storage,
  table: NumberedTable,
  communityId: string,
  num: number,
  now: number,
): Promise<boolean> {
  const r = await storage.execute(sql`update ${sql.raw(table)} set deleted_at = ${now}
    where community_id = ${communityId} and number = ${num} and deleted_at is null`)
  return r.changes > 0
}

/** `lower(column) like %word%` for every word (LIKE wildcards in the words taken literally). */
export function matchesAll(column: Sql, words: readonly string[]): Sql {
  if (words.length === 0) return sql`1 = 1`
  return sql.join(
    words.map(
      (w) => sql`lower(${column}) like ${`%${w.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`,
    ),
    ' and ',
  )
}
