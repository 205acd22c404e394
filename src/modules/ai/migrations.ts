/** The ai module's table: tokens and answers per community per UTC day (the usage the dashboard shows). */
import type { Migration } from '../../runtime/storage/types.js'

export const aiMigrations: readonly Migration[] = [
  {
    id: '0001_ai_usage',
    sql: `create table ai_usage (
      community_id text not null,
      day text not null,
      tokens bigint not null default 0,
      answers bigint not null default 0,
      updated_at bigint not null,
      primary key (community_id, day))`,
  },
]
