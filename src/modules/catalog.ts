/**
 * The built-in modules: each folder's `manifest.ts` says what it is (name, kind, port, summary) and how to
 * load it; the modules of the seed that are not built yet are listed with their documented port so
 * `module list` shows them as not available. The CLI hands this catalog to the runtime, which imports no
 * module itself. A new built-in module: add its folder with a manifest.ts and list it here
 * (docs/architecture.md).
 */
import { manifest as discord } from '../collectors/discord/manifest.js'
import { manifest as slack } from '../collectors/slack/manifest.js'
import { manifest as twitch } from '../collectors/twitch/manifest.js'
import type { Catalog, ModuleManifest } from '../runtime/registry.js'
import { manifest as ai } from './ai/manifest.js'
import { manifest as alias } from './alias/manifest.js'
import { manifest as browserSource } from './browser-source/manifest.js'
import { manifest as calendar } from './calendar/manifest.js'
import { manifest as inventory } from './inventory/manifest.js'
import { manifest as community } from './community/manifest.js'
import { manifest as hub } from './hub/manifest.js'
import { manifest as identity } from './identity/manifest.js'
import { manifest as memories } from './memories/manifest.js'
import { manifest as labels } from './labels/manifest.js'
import { manifest as reputation } from './reputation/manifest.js'
import { manifest as router } from './router/manifest.js'
import { manifest as shoutout } from './shoutout/manifest.js'
import { manifest as spotify } from './spotify/manifest.js'
import { manifest as youtubeMusic } from './youtube-music/manifest.js'

/** A seed module that is not built yet (no `load`). */
function planned(name: string, kind: ModuleManifest['kind'], port: number, summary: string): ModuleManifest {
  return { name, kind, port, summary }
}

/** Every built-in module in CONTRACT §3 order. */
export const builtinCatalog: Catalog = [
  router,
  planned('marketplace', 'core', 8001, 'Community module marketplace'),
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
  planned('kong-admin-broker', 'core', 8080, 'Kong admin API broker'),
]
