/**
 * Tables of the identity module (module `identity`), the same SQL in both dialects (CONTRACT §8 names).
 * `identity_links`: every platform account the router has seen, keyed on the platform's immutable user id,
 * with the identity it belongs to (one row per account; accounts of one person share `identity_id`) and its
 * latest login and display name. `identity_verifications`: link codes in flight (the code is stored as a
 * SHA-256 hash). `user_api_keys`: a person's API keys (`wbot_user_…`, hashed).
 */
import type { Migration } from '../../runtime/storage/types.js'

export const identityMigrations: readonly Migration[] = [
  {
    id: '0001_identity',
    sql: `
create table identity_links (
  platform text not null,
  platform_user_id text not null,
  identity_id text not null,
  user_name text not null,
  display_name text,
  linked_at bigint not null,
  last_seen_at bigint not null,
  primary key (platform, platform_user_id)
);
create index identity_links_identity on identity_links (identity_id);
create index identity_links_name on identity_links (platform, user_name);

create table identity_verifications (
  id text primary key,
  identity_id text not null,
  platform text not null,
  platform_user_id text not null,
  code_hash text not null,
  attempts integer not null default 0,
  status text not null default 'pending' check (status in ('pending', 'verified', 'locked', 'expired', 'cancelled')),
  created_at bigint not null,
  expires_at bigint not null,
  locked_until bigint
);
create index identity_verifications_target on identity_verifications (platform, platform_user_id, status);
create index identity_verifications_identity on identity_verifications (identity_id, platform);

create table user_api_keys (
  id text primary key,
  identity_id text not null,
  name text not null,
  key_hash text not null unique,
  key_prefix text not null,
  created_at bigint not null,
  expires_at bigint,
  last_used_at bigint,
  revoked_at bigint
);
create index user_api_keys_identity on user_api_keys (identity_id);
`,
  },
]
