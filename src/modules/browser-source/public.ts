/**
 * browser-source's public face: what other modules and the CLI may use without loading the module.
 * Pushing to overlays (OverlayClient), overlay URLs and tokens, the config schema and the migrations.
 */
export { type BrowserSourceConfig, browserSourceConfig } from './config.js'
export { browserSourceMigrations } from './migrations.js'
export { OverlayClient, type OverlayTarget } from './overlay-client.js'
export { DEFAULT_GRACE_MS, OVERLAY_TYPES, type OverlayType, overlayUrls, TokenStore } from './tokens.js'
