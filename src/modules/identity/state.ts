/** What the identity module's `setup` builds (its `ctx.state`). */
import type { Linking } from './linking.js'
import type { IdentityResolver } from './resolver.js'
import type { UserKeys } from './user-keys.js'

export interface IdentityState {
  readonly resolver: IdentityResolver
  readonly linking: Linking
  readonly keys: UserKeys
}
