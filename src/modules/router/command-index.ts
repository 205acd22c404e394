/**
 * The router's in-memory view of the `commands` table: lookup by prefix + name or alias, and the event
 * handlers per event type. Reloaded when a module announces a change, and on a miss at most once a second.
 */
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

export interface CommandRow {
  id: number | string
  name: string
  prefix: string
  module: string
  description: string | null
  usage: string | null
  location_url: string | null
  target_type: 'module' | 'container' | 'webhook' | 'lambda' | 'openwhisk'
  timeout_ms: number
  rate_limit: number
  /** Uses per minute across users in the community (or entity); 0 = none. */
  entity_rate_limit: number
  cooldown_ms: number
  permission_level: string
  trigger_type: 'command' | 'event' | 'both'
  event_types: string
  priority: number
  execution_mode: 'sequential' | 'parallel'
  aliases: string
  /** Marketplace commands only: the response types the community approved (others are dropped). */
  response_types?: readonly string[]
  /** 1: an observer (events batched to it, never executed); absent in databases before migration 0006. */
  observes?: number | null
}

/** A per-entity or per-community override of a command (command_permissions). */
interface Override {
  is_enabled: number
  permission_level: string | null
  rate_limit: number | null
  cooldown_ms: number | null
  entity_rate_limit: number | null
}

/** What applies to a command in one entity after the overrides. */
export interface Effective {
  enabled: boolean
  permission: string
  rateLimit: number
  cooldownMs: number
  entityRateLimit: number
}

const orNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

/**
 * Commands of marketplace modules belong to a `commands` row whose `module` starts with this prefix
 * (`market:weather`). Such a command runs only in a community that installed (and enabled) its module, on the
 * target of the version that community installed (`module_installations.config`, docs/marketplace.md).
 */
export const MARKET_MODULE_PREFIX = 'market:'

/** What an installation row of a marketplace module says about where its commands run. */
export interface InstalledTarget {
  readonly version: string
  readonly target_type: CommandRow['target_type']
  readonly location_url: string
  readonly timeout_ms: number
  /** The `#` names this version declares. */
  readonly commands: readonly string[]
  /** The response types the approved scopes allow. */
  readonly response_types: readonly string[]
}

/** Marketplace commands are re-read at most this often even without a `commands:changed` announcement. */
const MARKET_REFRESH_MS = 5000

export class CommandIndex {
  #overrides = new Map<string, Override>()
  #byWord = new Map<string, CommandRow>()
  #byEvent = new Map<string, CommandRow[]>()
  #observersByEvent = new Map<string, CommandRow[]>()
  #commands: CommandRow[] = []
  /** `<module>|<community>` → the installed version's target. */
  #installed = new Map<string, InstalledTarget>()
  #loadedAt = 0
  #loading: Promise<void> | undefined

  /**
   * `runs(module)`: whether a module this bot runs serves `module` targets. Event handlers of modules it does
   * not run (rows a module registered once, then was switched off) are left out: they would cost a refused
   * call per event. Default: every module runs.
   */
  constructor(
    private readonly db: Queryable,
    private readonly runs: (module: string) => boolean = () => true,
  ) {}

  /** Every active command (not event handlers), sorted by name. */
  get commands(): readonly CommandRow[] {
    return this.#commands
  }

  async reload(): Promise<void> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined
    })
    return this.#loading
  }

  async #load(): Promise<void> {
    const rows = await this.db.query<CommandRow>(sql`select * from commands where is_active = 1`)
    const overrides = new Map<string, Override>()
    for (const o of await this.db.query<
      Override & { command_id: number | string; entity_id: string | null; community_id: string | null }
    >(sql`select command_id, entity_id, community_id, is_enabled, permission_level, rate_limit, cooldown_ms,
        entity_rate_limit from command_permissions`)) {
      const scope = o.entity_id ? `e:${o.entity_id}` : `c:${o.community_id}`
      overrides.set(`${o.command_id}|${scope}`, {
        is_enabled: Number(o.is_enabled),
        permission_level: o.permission_level,
        rate_limit: orNull(o.rate_limit),
        cooldown_ms: orNull(o.cooldown_ms),
        entity_rate_limit: orNull(o.entity_rate_limit),
      })
    }
    const installed = new Map<string, InstalledTarget>()
    for (const i of await this.db.query<{ community_id: string; module: string; config: string }>(
      sql`select community_id, module, config from module_installations
        where is_enabled = 1 and module like ${`${MARKET_MODULE_PREFIX}%`}`,
    )) {
      const target = parseInstalled(i.config)
      if (target) installed.set(`${i.module}|${i.community_id}`, target)
    }
    const byWord = new Map<string, CommandRow>()
    const byEvent = new Map<string, CommandRow[]>()
    const observersByEvent = new Map<string, CommandRow[]>()
    const commands: CommandRow[] = []
    for (const row of rows) {
      if (row.trigger_type !== 'event') {
        if (row.name !== '*') commands.push(row)
        byWord.set(`${row.prefix}${row.name}`, row)
        for (const alias of parseList(row.aliases))
          if (!byWord.has(`${row.prefix}${alias}`)) byWord.set(`${row.prefix}${alias}`, row)
      }
      if (row.trigger_type !== 'command' && ((row.target_type || 'module') !== 'module' || this.runs(row.module))) {
        const into = Number(row.observes ?? 0) === 1 ? observersByEvent : byEvent
        for (const type of parseList(row.event_types)) {
          const list = into.get(type) ?? []
          list.push(row)
          into.set(type, list)
        }
      }
    }
    for (const list of byEvent.values()) list.sort((a, b) => a.priority - b.priority)
    commands.sort((a, b) => a.name.localeCompare(b.name))
    this.#byWord = byWord
    this.#overrides = overrides
    this.#installed = installed
    this.#byEvent = byEvent
    this.#observersByEvent = observersByEvent
    this.#commands = commands
    this.#loadedAt = Date.now()
  }

  /**
   * The command for `!name`; reloads once (at most every second) on a miss. A word no command claims goes
   * to the catch-all `!*` when a module declares one (the alias module's custom commands).
   */
  async find(prefix: string, name: string): Promise<CommandRow | undefined> {
    const key = `${prefix}${name}`
    // A reload announced (`commands:changed`) and under way: its result is what this event must see.
    if (this.#loading) await this.#loading
    const hit = this.#byWord.get(key)
    if (hit) return hit
    if (Date.now() - this.#loadedAt >= 1000) {
      await this.reload()
      const found = this.#byWord.get(key)
      if (found) return found
    }
    return this.#byWord.get(`${prefix}*`)
  }

  /**
   * The row as it runs in `communityId`: the row itself for every command but a marketplace module's; for
   * those, the row pointed at the target of the version the community installed, or undefined when the
   * community has not installed (or has disabled) the module, or its version does not declare the command.
   */
  async inCommunity(row: CommandRow, communityId: string): Promise<CommandRow | undefined> {
    if (!row.module.startsWith(MARKET_MODULE_PREFIX)) return row
    if (this.#loading) await this.#loading
    else if (Date.now() - this.#loadedAt >= MARKET_REFRESH_MS) await this.reload()
    const target = this.#installed.get(`${row.module}|${communityId}`)
    if (!target?.commands.includes(row.name)) return undefined
    return {
      ...row,
      target_type: target.target_type,
      location_url: target.location_url,
      timeout_ms: target.timeout_ms,
      response_types: target.response_types,
    }
  }

  /**
   * Whether `row` runs in this entity, at which permission level and with which limits: an entity override
   * wins over a community override, which wins over the command's own setting (a null override column
   * keeps the command's value). Commands are enabled by default.
   */
  effective(row: CommandRow, entityId: string, communityId: string): Effective {
    const o = this.#overrides.get(`${row.id}|e:${entityId}`) ?? this.#overrides.get(`${row.id}|c:${communityId}`)
    return {
      enabled: o ? o.is_enabled === 1 : true,
      permission: o?.permission_level || row.permission_level || 'everyone',
      rateLimit: o?.rate_limit ?? Number(row.rate_limit ?? 0),
      cooldownMs: o?.cooldown_ms ?? Number(row.cooldown_ms ?? 0),
      entityRateLimit: o?.entity_rate_limit ?? Number(row.entity_rate_limit ?? 0),
    }
  }

  handlersFor(eventType: string): readonly CommandRow[] {
    return this.#byEvent.get(eventType) ?? []
  }

  /** Observers of an event type (ModuleDefinition.observers): handed the events in batches. */
  observersFor(eventType: string): readonly CommandRow[] {
    return this.#observersByEvent.get(eventType) ?? []
  }
}

function parseInstalled(json: string | null): InstalledTarget | undefined {
  try {
    const v = JSON.parse(json ?? '') as Partial<InstalledTarget> | null
    if (!v || typeof v.location_url !== 'string' || !Array.isArray(v.commands) || typeof v.target_type !== 'string')
      return undefined
    return {
      version: String(v.version ?? ''),
      target_type: v.target_type,
      location_url: v.location_url,
      timeout_ms: Number(v.timeout_ms) || 5000,
      commands: v.commands.filter((c): c is string => typeof c === 'string'),
      response_types: Array.isArray(v.response_types)
        ? v.response_types.filter((c): c is string => typeof c === 'string')
        : [],
    }
  } catch {
    return undefined
  }
}

function parseList(json: string | null): string[] {
  if (!json) return []
  try {
    const v: unknown = JSON.parse(json)
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}
