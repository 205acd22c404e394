/**
 * Tables of the labels module, the same SQL in both dialects.
 * `labels_applied`: one row per label on a target (user, community, entity or module) within a community;
 * `expires_at` null = never. `labels_targets`: one row per labelled target, locked (updated) by every add so
 * that concurrent adds to the same target count and insert one after another (store.ts).
 */
import type { Migration } from '../../runtime/storage/types.js'

export const labelsMigrations: readonly Migration[] = [
  {
    id: '0001_labels',
    sql: `
create table labels_applied (
  community_id text not null,
  target_type text not null check (target_type in ('user', 'community', 'entity', 'module')),
  target_id text not null,
  label text not null,
  target_name text,
  applied_by text not null,
  applied_at bigint not null,
  expires_at bigint,
  primary key (community_id, target_type, target_id, label)
);
create index labels_applied_label on labels_applied (community_id, label);
create index labels_applied_name on labels_applied (community_id, target_name);
create table labels_targets (
  community_id text not null,
  target_type text not null,
  target_id text not null,
  updated_at bigint not null,
  primary key (community_id, target_type, target_id)
);
`,
  },
]
