/**
 * Per-community installations (core table `module_installations`, module `market:<name>`): install,
 * uninstall, enable, disable, upgrade. Each is one transaction over the installation row, the module's `#`
 * rows in `commands` and an audit_log row; the router sees the change at once (`commands:changed`) and runs a
 * marketplace command only in communities whose installation is enabled (router command-index.ts).
 */
import { WaddleError } from '../../runtime/errors.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable, Storage, Transaction } from '../../runtime/storage/types.js'
import { audit, requireCommunity } from '../community/public.js'
import { type InstalledTarget, MARKET_MODULE_PREFIX } from '../router/public.js'
import { type Env, probeTarget } from './probe.js'
import { checkCommandsFree, manifestOf } from './registry.js'
import { type ModuleManifest, RESPONSE_SCOPE } from './schema.js'

/** What `module_installations.config` holds for a marketplace module. */
export interface InstallConfig extends InstalledTarget {
  readonly scopes: readonly string[]
}

export interface Installation {
  module: string
  version: string
  enabled: boolean
  scopes: string[]
  commands: string[]
  installed_by: string | null
  installed_at: number
}

export interface InstallOptions {
  community: string
  module: string
  /** Default: the latest version. */
  version?: string | undefined
  /** The scopes the community admin approves; every scope the manifest asks for must be among them. */
  approveScopes: readonly string[]
  actor: string
  env: Env
  /** Tells the routers (the module's cache publish); the CLI announces over Redis when it has one. */
  notify?: () => Promise<void>
}

const moduleKey = (name: string) => `${MARKET_MODULE_PREFIX}${name}`
const bare = (c: string) => c.slice(1)

function configOf(manifest: ModuleManifest): InstallConfig {
  return {
    version: manifest.version,
    target_type: manifest.target.type,
    location_url: manifest.target.location,
    timeout_ms: manifest.target.timeout_ms,
    commands: manifest.commands.map((c) => bare(c.name)),
    scopes: manifest.scopes,
    response_types: Object.entries(RESPONSE_SCOPE)
      .filter(([, scope]) => manifest.scopes.includes(scope))
      .map(([type]) => type),
  }
}

function checkScopes(manifest: ModuleManifest, approved: readonly string[]): void {
  const missing = manifest.scopes.filter((s) => !approved.includes(s))
  if (missing.length > 0)
    throw new WaddleError('WB_MARKET_SCOPES_UNAPPROVED', { module: manifest.name, scopes: missing.join(',') })
}

/** Points the module's `#` rows at `manifest` (insert or reactivate). */
async function writeCommands(tx: Transaction, manifest: ModuleManifest): Promise<void> {
  const now = Date.now()
  for (const c of manifest.commands) {
    await tx.execute(sql`insert into commands (name, prefix, module, description, usage, location_url, target_type, timeout_ms,
        permission_level, trigger_type, event_types, is_active, aliases, created_at, updated_at)
      values (${bare(c.name)}, '#', ${moduleKey(manifest.name)}, ${c.summary}, ${c.usage}, ${manifest.target.location},
        ${manifest.target.type}, ${manifest.target.timeout_ms}, ${c.permission}, 'command', '[]', 1, '[]', ${now}, ${now})
      on conflict (prefix, name) do update set module = excluded.module, description = excluded.description,
        usage = excluded.usage, location_url = excluded.location_url, target_type = excluded.target_type,
        timeout_ms = excluded.timeout_ms, permission_level = excluded.permission_level, trigger_type = 'command',
        event_types = '[]', is_active = 1, updated_at = excluded.updated_at`)
  }
}

/** Deactivates the module's `#` rows that no remaining installation (any community) declares. */
async function pruneCommands(tx: Transaction, module: string): Promise<void> {
  const still = new Set<string>()
  for (const i of await tx.query<{ config: string }>(
    sql`select config from module_installations where module = ${moduleKey(module)}`,
  ))
    for (const c of (JSON.parse(i.config) as InstallConfig).commands ?? []) still.add(c)
  const rows = await tx.query<{ name: string }>(
    sql`select name from commands where prefix = '#' and module = ${moduleKey(module)} and is_active = 1`,
  )
  for (const r of rows)
    if (!still.has(r.name))
      await tx.execute(sql`update commands set is_active = 0, updated_at = ${Date.now()}
        where prefix = '#' and name = ${r.name} and module = ${moduleKey(module)}`)
}

async function installationRow(db: Queryable, community: string, module: string) {
  return db.one<{ config: string; is_enabled: number }>(
    sql`select config, is_enabled from module_installations where community_id = ${community} and module = ${moduleKey(module)}`,
  )
}

/** Installs a module in a community: approved scopes, free `#` names, a passing probe; then one transaction. */
export async function install(db: Storage, o: InstallOptions): Promise<Installation> {
  const community = (await requireCommunity(db, o.community)).id
  const manifest = await manifestOf(db, o.module, o.version)
  if (await installationRow(db, community, o.module))
    throw new WaddleError('WB_MARKET_INSTALLED', { module: o.module, community })
  checkScopes(manifest, o.approveScopes)
  await checkCommandsFree(db, manifest)
  await probeTarget(manifest, o.env, community)
  await db.transaction(async (tx) => {
    // A concurrent install of the same module that committed first wins; this one is refused.
    const { changes } =
      await tx.execute(sql`insert into module_installations (community_id, module, config, is_enabled, installed_by, installed_at)
      values (${community}, ${moduleKey(o.module)}, ${JSON.stringify(configOf(manifest))}, 1, ${o.actor}, ${Date.now()})
      on conflict (community_id, module) do nothing`)
    if (changes === 0) throw new WaddleError('WB_MARKET_INSTALLED', { module: o.module, community })
    await writeCommands(tx, manifest)
    await audit(tx, {
      actor: o.actor,
      action: 'marketplace.install',
      target_type: 'community',
      target_id: community,
      details: { module: o.module, version: manifest.version, scopes: manifest.scopes },
    })
  })
  await o.notify?.()
  return (await installedIn(db, community)).find((i) => i.module === o.module)!
}

/** Upgrades (or downgrades) an installation to `version` (default latest), probing the new target first. */
export async function upgrade(db: Storage, o: InstallOptions): Promise<Installation> {
  const community = (await requireCommunity(db, o.community)).id
  const manifest = await manifestOf(db, o.module, o.version)
  const row = await installationRow(db, community, o.module)
  if (!row) throw new WaddleError('WB_MARKET_NOT_INSTALLED', { module: o.module, community })
  // Scopes approved before stay approved; new ones need approval now.
  const before = (JSON.parse(row.config) as InstallConfig).scopes ?? []
  checkScopes(manifest, [...before, ...o.approveScopes])
  await checkCommandsFree(db, manifest)
  await probeTarget(manifest, o.env, community)
  const from = (JSON.parse(row.config) as InstallConfig).version
  await db.transaction(async (tx) => {
    await tx.execute(sql`update module_installations set config = ${JSON.stringify(configOf(manifest))}
      where community_id = ${community} and module = ${moduleKey(o.module)}`)
    await writeCommands(tx, manifest)
    await pruneCommands(tx, o.module)
    await audit(tx, {
      actor: o.actor,
      action: 'marketplace.upgrade',
      target_type: 'community',
      target_id: community,
      details: { module: o.module, from, to: manifest.version },
    })
  })
  await o.notify?.()
  return (await installedIn(db, community)).find((i) => i.module === o.module)!
}

export interface ChangeOptions {
  community: string
  module: string
  actor: string
  notify?: () => Promise<void>
}

/** Removes the installation and, when no other community uses them, the module's `#` commands. */
export async function uninstall(db: Storage, o: ChangeOptions): Promise<void> {
  const community = (await requireCommunity(db, o.community)).id
  await db.transaction(async (tx) => {
    const { changes } = await tx.execute(
      sql`delete from module_installations where community_id = ${community} and module = ${moduleKey(o.module)}`,
    )
    if (changes === 0) throw new WaddleError('WB_MARKET_NOT_INSTALLED', { module: o.module, community })
    await pruneCommands(tx, o.module)
    await audit(tx, {
      actor: o.actor,
      action: 'marketplace.uninstall',
      target_type: 'community',
      target_id: community,
      details: { module: o.module },
    })
  })
  await o.notify?.()
}

/** Enables or disables an installation (a disabled one keeps its settings; its commands are unknown there). */
export async function setEnabled(db: Storage, o: ChangeOptions & { enabled: boolean }): Promise<void> {
  const community = (await requireCommunity(db, o.community)).id
  await db.transaction(async (tx) => {
    const { changes } = await tx.execute(sql`update module_installations set is_enabled = ${o.enabled ? 1 : 0}
      where community_id = ${community} and module = ${moduleKey(o.module)}`)
    if (changes === 0) throw new WaddleError('WB_MARKET_NOT_INSTALLED', { module: o.module, community })
    await audit(tx, {
      actor: o.actor,
      action: o.enabled ? 'marketplace.enable' : 'marketplace.disable',
      target_type: 'community',
      target_id: community,
      details: { module: o.module },
    })
  })
  await o.notify?.()
}

/** The marketplace modules installed in a community, by name. */
export async function installedIn(db: Queryable, communityRef: string): Promise<Installation[]> {
  const community = (await requireCommunity(db, communityRef)).id
  const rows = await db.query<{
    module: string
    config: string
    is_enabled: number
    installed_by: string | null
    installed_at: number
  }>(sql`select module, config, is_enabled, installed_by, installed_at from module_installations
    where community_id = ${community} and module like ${`${MARKET_MODULE_PREFIX}%`} order by module`)
  return rows.map((r) => {
    const config = JSON.parse(r.config) as InstallConfig
    return {
      module: r.module.slice(MARKET_MODULE_PREFIX.length),
      version: config.version,
      enabled: Number(r.is_enabled) === 1,
      scopes: [...(config.scopes ?? [])],
      commands: config.commands.map((c) => `#${c}`),
      installed_by: r.installed_by,
      installed_at: Number(r.installed_at),
    }
  })
}
