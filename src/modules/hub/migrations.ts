/**
 * The hub's tables (platform_admins and audit_log are core tables). `hub_sessions`: one row per issued session
 * token (the token itself is a JWT naming the row; revoking the row kills the token). `hub_temp_passwords`:
 * one-time passwords, stored as SHA-256 hashes (they are 128-bit random, so a fast hash is enough).
 */
import type { Migration } from '../../runtime/storage/types.js'

export const hubMigrations: readonly Migration[] = [
  {
    id: '0001_hub_sessions',
    sql: `
create table hub_sessions (
  id text primary key,
  user_id text not null,
  via text not null,
  created_at bigint not null,
  expires_at bigint not null,
  last_seen_at bigint not null,
  revoked_at bigint,
  ip text,
  user_agent text
);
create index hub_sessions_user on hub_sessions (user_id);
create table hub_temp_passwords (
  id text primary key,
  user_id text not null,
  password_hash text not null unique,
  created_by text not null,
  created_at bigint not null,
  expires_at bigint not null,
  used_at bigint
);
create index hub_temp_passwords_user on hub_temp_passwords (user_id);
`,
  },
]
