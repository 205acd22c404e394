/**
 * Tables of the marketplace (installations use the core `module_installations` table, module `market:<name>`).
 * `marketplace_modules`: one row per published module, with its latest version.
 * `marketplace_versions`: every published version's manifest (JSON, as validated) and checksum.
 * `marketplace_commands`: which module owns each `#` name across the registry (one owner per name).
 * `marketplace_reviews`: one rating (1-5) and text per module and reviewer (an identity id, else
 * `<platform>:<user id>`); a second review by the same reviewer replaces the first.
 */
import type { Migration } from '../../runtime/storage/types.js'

const tables = `
create table marketplace_modules (
  name text primary key,
  summary text not null,
  author text,
  latest_version text not null,
  published_by text not null,
  created_at bigint not null,
  updated_at bigint not null
);
create table marketplace_versions (
  module text not null references marketplace_modules (name) on delete cascade,
  version text not null,
  manifest text not null,
  checksum text not null,
  published_by text not null,
  published_at bigint not null,
  primary key (module, version)
);
create table marketplace_commands (
  command text primary key,
  module text not null references marketplace_modules (name) on delete cascade
);
create table marketplace_reviews (
  module text not null references marketplace_modules (name) on delete cascade,
  reviewer text not null,
  reviewer_name text,
  rating integer not null check (rating between 1 and 5),
  text text not null default '',
  created_at bigint not null,
  updated_at bigint not null,
  primary key (module, reviewer)
);
`

export const marketplaceMigrations: readonly Migration[] = [{ id: '0001_marketplace', sql: tables }]
