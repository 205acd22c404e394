/**
 * What other parts may use of the identity module: the resolver the router runs on every event (it reads
 * and writes `identity_links`, see docs/architecture.md "Identity in the router"), and the channel that
 * announces link changes.
 */
export { type AccountRef, createIdentityResolver, IDENTITY_CHANGED, type IdentityResolver } from './resolver.js'
export { USER_KEY_PREFIX } from './user-keys.js'
export { identityMigrations } from './migrations.js'
