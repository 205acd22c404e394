/**
 * The built-in modules: each folder's `manifest.ts` says what it is (name, kind, port, summary) and how to
 * load it. Every module of the seed is built; a catalog entry without `load` would be listed by `module list` as
 * not available (src/runtime/registry.ts). The CLI hands this catalog to the runtime, which imports no
 * module itself. A new built-in module: add its folder with a manifest.ts and list it here
 * (docs/architecture.md).
 */
import { manifest as discord } from '../collectors/discord/manifest.js'
import { manifest as slack } from '../collectors/slack/manifest.js'
import { manifest as twitch } from '../collectors/twitch/manifest.js'
import type { Catalog } from '../runtime/registry.js'
import { manifest as ai } from './ai/manifest.js'
import { manifest as alias } from './alias/manifest.js'
import { manifest as browserSource } from './browser-source/manifest.js'
import { manifest as calendar } from './calendar/manifest.js'
import { manifest as inventory } from './inventory/manifest.js'
import { manifest as kongAdminBroker } from './kong-admin-broker/manifest.js'
import { manifest as community } from './community/manifest.js'
import { manifest as hub } from './hub/manifest.js'
import { manifest as identity } from './identity/manifest.js'
import { manifest as memories } from './memories/manifest.js'
import { manifest as labels } from './labels/manifest.js'
import { manifest as marketplace } from './marketplace/manifest.js'
import { manifest as reputation } from './reputation/manifest.js'
import { manifest as router } from './router/manifest.js'
import { manifest as shoutout } from './shoutout/manifest.js'
import { manifest as spotify } from './spotify/manifest.js'
import { manifest as youtubeMusic } from './youtube-music/manifest.js'

/** Every built-in module in CONTRACT §3 order. */
export const builtinCatalog: Catalog = [
  router,
  marketplace,
  twitch,
  discord,
  slack,
  ai,
  alias,
  shoutout,
  inventory,
  youtubeMusic,
  spotify,
  browserSource,
  calendar,
  memories,
  labels,
  community,
  identity,
  reputation,
  hub,
  kongAdminBroker,
]
