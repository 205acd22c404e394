/** URLs and notes of a community (memories_memos): add, show, list, search, delete. */
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import { deleteNumbered, insertNumbered, matchesAll } from './numbered.js'

export interface Memo {
  number: number
  kind: 'url' | 'note'
  text: string
  added_by: string
  added_by_name: string
  created_at: number
}

export interface NewMemo {
  readonly text: string
  readonly entityId?: string | null
  readonly addedBy: string
  readonly addedByName: string
  readonly now: number
}

const COLUMNS = sql.raw('number, kind, text, added_by, added_by_name, created_at')
const live = (communityId: string) => sql`community_id = ${communityId} and deleted_at is null`

/** A memo that starts with a web address is a URL; anything else a note. */
export const memoKind = (text: string): Memo['kind'] => (/^https?:\/\/\S+/i.test(text) ? 'url' : 'note')

export const memos = {
  add: (storage: Storage, communityId: string, m: NewMemo) =>
    insertNumbered(
      storage,
      'memories_memos',
      communityId,
      ['kind', 'text', 'entity_id', 'added_by', 'added_by_name', 'created_at'],
      [memoKind(m.text), m.text, m.entityId ?? null, m.addedBy, m.addedByName, m.now],
    ),

  get: (storage: Storage, communityId: string, num: number) =>
    storage.one<Memo>(sql`select ${COLUMNS} from memories_memos where ${live(communityId)} and number = ${num}`),

  latest: (storage: Storage, communityId: string, limit: number, offset = 0) =>
    storage.query<Memo>(sql`select ${COLUMNS} from memories_memos where ${live(communityId)}
      order by number desc limit ${limit} offset ${offset}`),

  search: (storage: Storage, communityId: string, words: readonly string[], limit: number) =>
    storage.query<Memo>(sql`select ${COLUMNS} from memories_memos where ${live(communityId)}
      and ${matchesAll(sql`text`, words)} order by number desc limit ${limit}`),

  remove: (storage: Storage, communityId: string, num: number, now: number) =>
    deleteNumbered(storage, 'memories_memos', communityId, num, now),
}

export const formatMemo = (m: Memo): string => `#${m.number} ${m.kind === 'url' ? '🔗' : '📝'} ${m.text}`
