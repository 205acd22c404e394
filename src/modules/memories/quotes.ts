/** Quotes of a community: add, show by number, random, search, delete (memories_quotes). */
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import { deleteNumbered, insertNumbered, matchesAll } from './numbered.js'

export interface Quote {
  number: number
  text: string
  author: string | null
  game: string | null
  platform: string | null
  added_by_name: string
  created_at: number
}

export interface NewQuote {
  readonly text: string
  readonly author?: string | null
  readonly game?: string | null
  readonly platform?: string | null
  readonly entityId?: string | null
  readonly addedBy: string
  readonly addedByName: string
  readonly now: number
}

const COLUMNS = sql.raw('number, text, author, game, platform, added_by_name, created_at')
const live = (communityId: string) => sql`community_id = ${communityId} and deleted_at is null`

export const quotes = {
  async add(storage: Storage, communityId: string, q: NewQuote): Promise<number> {
    return insertNumbered(
      storage,
      'memories_quotes',
      communityId,
      ['text', 'author', 'game', 'platform', 'entity_id', 'added_by', 'added_by_name', 'created_at'],
      [
        q.text,
        q.author ?? null,
        q.game ?? null,
        q.platform ?? null,
        q.entityId ?? null,
        q.addedBy,
        q.addedByName,
        q.now,
      ],
    )
  },

  get: (storage: Storage, communityId: string, num: number) =>
    storage.one<Quote>(sql`select ${COLUMNS} from memories_quotes where ${live(communityId)} and number = ${num}`),

  random: (storage: Storage, communityId: string) =>
    storage.one<Quote>(
      sql`select ${COLUMNS} from memories_quotes where ${live(communityId)} order by random() limit 1`,
    ),

  /** Quotes whose text or author holds every word, newest first. */
  search: (storage: Storage, communityId: string, words: readonly string[], limit: number) =>
    storage.query<Quote>(sql`select ${COLUMNS} from memories_quotes where ${live(communityId)}
      and (${matchesAll(sql`text`, words)} or ${matchesAll(sql`coalesce(author, '')`, words)})
      order by number desc limit ${limit}`),

  list: (storage: Storage, communityId: string, limit: number, offset: number) =>
    storage.query<Quote>(sql`select ${COLUMNS} from memories_quotes where ${live(communityId)}
      order by number limit ${limit} offset ${offset}`),

  remove: (storage: Storage, communityId: string, num: number, now: number) =>
    deleteNumbered(storage, 'memories_quotes', communityId, num, now),
}

/** `#12: "text" — Author (Game, 2026-12-03)` */
export function formatQuote(q: Quote): string {
  const day = new Date(Number(q.created_at)).toISOString().slice(0, 10)
  const context = [q.game, day].filter(Boolean).join(', ')
  return `#${q.number}: "${q.text}"${q.author ? ` — ${q.author}` : ''} (${context})`
}
