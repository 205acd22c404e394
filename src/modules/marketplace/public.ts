/** What the CLI (and the hub) may use of the marketplace without its HTTP server. */
export { type Installation, install, installedIn, setEnabled, uninstall, upgrade } from './installs.js'
export { marketplaceMigrations } from './migrations.js'
export { manifestOf, publish, searchModules, showModule, versionsOf } from './registry.js'
export { SCOPES, moduleManifestSchema, parseManifest, type ModuleManifest } from './schema.js'
