/**
 * The registry: publish a manifest (validated, probed, never replacing a version), list, search, show,
 * versions, and reviews (one per reviewer). Every publish writes an audit_log row.
 */
import { WaddleError } from '../../runtime/errors.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable, Storage } from '../../runtime/storage/types.js'
import { audit } from '../community/public.js'
import { MARKET_MODULE_PREFIX } from '../router/public.js'
import { type Env, probeTarget } from './probe.js'
import { compareVersions, type ModuleManifest, parseManifest } from './schema.js'

export interface ModuleSummary {
  name: string
  summary: string
  author: string | null
  latest_version: string
  commands: string[]
  scopes: string[]
  rating: number | null
  reviews: number
  installs: number
}

export interface VersionRow {
  version: string
  checksum: string
  published_by: string
  published_at: number
}

/** Who owns a `#` name outside the registry (a module of the bot itself), or another registry module. */
async function ownerOf(db: Queryable, command: string, module: string): Promise<string | undefined> {
  const listed = await db.one<{ module: string }>(
    sql`select module from marketplace_commands where command = ${command}`,
  )
  if (listed && listed.module !== module) return `marketplace module ${listed.module}`
  const row = await db.one<{ module: string; is_active: number }>(
    sql`select module, is_active from commands where prefix = '#' and name = ${command.slice(1)}`,
  )
  if (row && Number(row.is_active) === 1 && row.module !== `${MARKET_MODULE_PREFIX}${module}`)
    return `module ${row.module}`
  return undefined
}

export async function checkCommandsFree(db: Queryable, manifest: ModuleManifest): Promise<void> {
  for (const c of manifest.commands) {
    const owner = await ownerOf(db, c.name, manifest.name)
    if (owner) throw new WaddleError('WB_MARKET_COMMAND_TAKEN', { command: c.name, owner })
  }
}

/**
 * Publishes one version: validates the manifest, refuses an existing version or a taken `#` name, probes the
 * target (health and checksum), then stores it. Returns the stored manifest.
 */
export async function publish(
  db: Storage,
  input: unknown,
  options: { actor: string; env: Env },
): Promise<ModuleManifest> {
  const manifest = parseManifest(input)
  const existing = await db.one(
    sql`select 1 as x from marketplace_versions where module = ${manifest.name} and version = ${manifest.version}`,
  )
  if (existing) throw new WaddleError('WB_MARKET_VERSION_EXISTS', { module: manifest.name, version: manifest.version })
  await checkCommandsFree(db, manifest)
  await probeTarget(manifest, options.env)
  const now = Date.now()
  await db.transaction(async (tx) => {
    await tx.execute(sql`insert into marketplace_modules (name, summary, author, latest_version, published_by, created_at, updated_at)
      values (${manifest.name}, ${manifest.summary}, ${manifest.author ?? null}, ${manifest.version}, ${options.actor}, ${now}, ${now})
      on conflict (name) do nothing`)
    const current = await tx.one<{ latest_version: string }>(
      sql`select latest_version from marketplace_modules where name = ${manifest.name}`,
    )
    if (current && compareVersions(manifest.version, current.latest_version) > 0) {
      await tx.execute(sql`update marketplace_modules set summary = ${manifest.summary}, author = ${manifest.author ?? null},
        latest_version = ${manifest.version}, updated_at = ${now} where name = ${manifest.name}`)
    }
    const { changes } =
      await tx.execute(sql`insert into marketplace_versions (module, version, manifest, checksum, published_by, published_at)
      values (${manifest.name}, ${manifest.version}, ${JSON.stringify(manifest)}, ${manifest.checksum}, ${options.actor}, ${now})
      on conflict (module, version) do nothing`)
    // A concurrent publish of the same version committed first.
    if (changes === 0)
      throw new WaddleError('WB_MARKET_VERSION_EXISTS', { module: manifest.name, version: manifest.version })
    for (const c of manifest.commands)
      await tx.execute(sql`insert into marketplace_commands (command, module) values (${c.name}, ${manifest.name})
        on conflict (command) do nothing`)
    await audit(tx, {
      actor: options.actor,
      action: 'marketplace.publish',
      target_type: 'module',
      target_id: manifest.name,
      details: { version: manifest.version, checksum: manifest.checksum, target: manifest.target.type },
    })
  })
  return manifest
}

/** The manifest of one version (the latest when `version` is undefined). */
export async function manifestOf(db: Queryable, module: string, version?: string): Promise<ModuleManifest> {
  const m = await db.one<{ latest_version: string }>(
    sql`select latest_version from marketplace_modules where name = ${module}`,
  )
  if (!m) throw new WaddleError('WB_MARKET_MODULE_UNKNOWN', { module })
  const wanted = version ?? m.latest_version
  const row = await db.one<{ manifest: string }>(
    sql`select manifest from marketplace_versions where module = ${module} and version = ${wanted}`,
  )
  if (!row) throw new WaddleError('WB_MARKET_VERSION_UNKNOWN', { module, version: wanted })
  return JSON.parse(row.manifest) as ModuleManifest
}

/** Every published module (or those whose name, summary or `#` commands contain `query`), by name. */
export async function searchModules(db: Queryable, query = ''): Promise<ModuleSummary[]> {
  const like = `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  const rows = await db.query<{
    name: string
    summary: string
    author: string | null
    latest_version: string
    manifest: string
    rating: number | string | null
    reviews: number | string
    installs: number | string
  }>(sql`select m.name, m.summary, m.author, m.latest_version, v.manifest,
      (select avg(r.rating) from marketplace_reviews r where r.module = m.name) as rating,
      (select count(*) from marketplace_reviews r where r.module = m.name) as reviews,
      (select count(*) from module_installations i where i.module = 'market:' || m.name) as installs
    from marketplace_modules m join marketplace_versions v on v.module = m.name and v.version = m.latest_version
    where lower(m.name) like ${like} escape '\\' or lower(m.summary) like ${like} escape '\\'
      or exists (select 1 from marketplace_commands c where c.module = m.name and c.command like ${like} escape '\\')
    order by m.name`)
  return rows.map((r) => {
    const manifest = JSON.parse(r.manifest) as ModuleManifest
    return {
      name: r.name,
      summary: r.summary,
      author: r.author,
      latest_version: r.latest_version,
      commands: manifest.commands.map((c) => c.name),
      scopes: manifest.scopes,
      rating: r.rating === null ? null : Math.round(Number(r.rating) * 10) / 10,
      reviews: Number(r.reviews),
      installs: Number(r.installs),
    }
  })
}

/** Versions of a module, newest first. */
export async function versionsOf(db: Queryable, module: string): Promise<VersionRow[]> {
  await manifestOf(db, module)
  const rows = await db.query<VersionRow>(sql`select version, checksum, published_by, published_at
    from marketplace_versions where module = ${module}`)
  return rows
    .map((r) => ({ ...r, published_at: Number(r.published_at) }))
    .sort((a, b) => compareVersions(b.version, a.version))
}

/** One module: its summary line, the latest manifest, its versions and reviews. */
export async function showModule(db: Queryable, module: string) {
  const manifest = await manifestOf(db, module)
  const summary = (await searchModules(db, module)).find((m) => m.name === module)!
  return { ...summary, manifest, versions: await versionsOf(db, module), reviews_list: await reviewsOf(db, module) }
}

export interface ReviewInput {
  /** An identity id when known, else `<platform>:<user id>`. */
  reviewer: string
  reviewer_name?: string | undefined
  rating: number
  text?: string | undefined
}

/** Adds a review, or replaces the reviewer's earlier one (one per reviewer). Returns whether it replaced one. */
export async function review(db: Storage, module: string, input: ReviewInput): Promise<{ replaced: boolean }> {
  await manifestOf(db, module)
  const now = Date.now()
  return db.transaction(async (tx) => {
    const had = await tx.one(
      sql`select 1 as x from marketplace_reviews where module = ${module} and reviewer = ${input.reviewer}`,
    )
    await tx.execute(sql`insert into marketplace_reviews (module, reviewer, reviewer_name, rating, text, created_at, updated_at)
      values (${module}, ${input.reviewer}, ${input.reviewer_name ?? null}, ${input.rating}, ${input.text ?? ''}, ${now}, ${now})
      on conflict (module, reviewer) do update set reviewer_name = excluded.reviewer_name, rating = excluded.rating,
        text = excluded.text, updated_at = excluded.updated_at`)
    return { replaced: Boolean(had) }
  })
}

export async function reviewsOf(db: Queryable, module: string) {
  const rows = await db.query<{
    reviewer: string
    reviewer_name: string | null
    rating: number
    text: string
    updated_at: number
  }>(
    sql`select reviewer, reviewer_name, rating, text, updated_at from marketplace_reviews where module = ${module}
      order by updated_at desc`,
  )
  return rows.map((r) => ({ ...r, rating: Number(r.rating), updated_at: Number(r.updated_at) }))
}
