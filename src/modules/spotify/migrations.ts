/**
 * Tables of the spotify module (module `spotify`), the same SQL in both dialects.
 * `spotify_tokens`: one streamer connection per community; both tokens are AES-256-GCM boxes (crypto.ts),
 * `key_id` is the fingerprint of the key that sealed them, `status` becomes `revoked` when Spotify refuses the
 * refresh token. `spotify_oauth_states`: the `state` of each login in progress (10 minutes, used once).
 * `spotify_login_links`: the admin-issued one-time login links (login-links.ts).
 */
import type { Migration } from '../../runtime/storage/types.js'

export const spotifyMigrations: readonly Migration[] = [
  {
    id: '0001_tokens',
    sql: `
create table spotify_tokens (
  community_id text primary key,
  access_token text not null,
  refresh_token text not null,
  expires_at bigint not null,
  scope text not null default '',
  key_id text not null,
  status text not null default 'active' check (status in ('active', 'revoked')),
  last_error text,
  connected_at bigint not null,
  refreshed_at bigint,
  updated_at bigint not null
);
create table spotify_oauth_states (
  state text primary key,
  community_id text not null,
  created_at bigint not null,
  expires_at bigint not null
);
create index spotify_oauth_states_expiry on spotify_oauth_states (expires_at);
`,
  },
  {
    id: '0002_login_links',
    sql: `
create table spotify_login_links (
  id text primary key,
  community_id text not null,
  created_at bigint not null,
  expires_at bigint not null
);
create index spotify_login_links_expiry on spotify_login_links (expires_at);
`,
  },
]
