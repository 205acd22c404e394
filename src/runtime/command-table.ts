/**
 * Hosted modules write themselves and their commands into the `modules` and `commands` tables, so a
 * router in any process finds them; commands a module no longer declares are deactivated.
 */
import type { ModuleDefinition } from './module.js'
import { sql } from './storage/sql.js'
import type { Storage } from './storage/types.js'

export async function registerModule(
  storage: Storage,
  def: ModuleDefinition,
  url: string,
  port: number,
): Promise<void> {
  const now = Date.now()
  await storage.scope('commands').transaction(async (tx) => {
    await tx.execute(sql`insert into modules (name, version, kind, port, url, summary, status, registered_at, last_heartbeat)
      values (${def.name}, ${def.version}, ${def.kind}, ${port}, ${url}, ${def.summary}, 'running', ${now}, ${now})
      on conflict (name) do update set version = excluded.version, kind = excluded.kind, port = excluded.port,
        url = excluded.url, summary = excluded.summary, status = 'running', last_heartbeat = excluded.last_heartbeat`)
    const keep: string[] = []
    for (const c of def.commands ?? []) {
      const prefix = c.prefix ?? '!'
      keep.push(`${prefix}${c.name}`)
      await tx.execute(sql`insert into commands (name, prefix, module, description, usage, location_url, target_type, timeout_ms,
          rate_limit, entity_rate_limit, cooldown_ms, permission_level, trigger_type, event_types, priority, execution_mode, is_active, aliases, created_at, updated_at)
        values (${c.name}, ${prefix}, ${def.name}, ${c.summary}, ${c.usage ?? ''}, ${url}, 'module', ${c.timeoutMs ?? 5000},
          ${c.rateLimit ?? 0}, ${c.entityRateLimit ?? 0}, ${c.cooldownMs ?? 0}, ${c.permission ?? 'everyone'}, 'command', '[]', 100, 'sequential', 1,
          ${JSON.stringify(c.aliases ?? [])}, ${now}, ${now})
        on conflict (prefix, name) do update set module = excluded.module, description = excluded.description,
          usage = excluded.usage, location_url = excluded.location_url, timeout_ms = excluded.timeout_ms,
          rate_limit = excluded.rate_limit, entity_rate_limit = excluded.entity_rate_limit, cooldown_ms = excluded.cooldown_ms, permission_level = excluded.permission_level,
          is_active = 1, aliases = excluded.aliases, updated_at = excluded.updated_at`)
    }
    for (const h of def.events ?? []) {
      const name = `${def.name}.${h.name}`
      keep.push(`@${name}`)
      await tx.execute(sql`insert into commands (name, prefix, module, description, location_url, target_type, timeout_ms,
          permission_level, trigger_type, event_types, priority, execution_mode, is_active, aliases, created_at, updated_at)
        values (${name}, '@', ${def.name}, ${h.name}, ${url}, 'module', 5000, 'everyone', 'event', ${JSON.stringify(h.types)},
          ${h.priority ?? 100}, ${h.mode ?? 'sequential'}, 1, '[]', ${now}, ${now})
        on conflict (prefix, name) do update set module = excluded.module, location_url = excluded.location_url,
          event_types = excluded.event_types, priority = excluded.priority, execution_mode = excluded.execution_mode,
          observes = 0, is_active = 1, updated_at = excluded.updated_at`)
    }
    for (const o of def.observers ?? []) {
      const name = `${def.name}.${o.name}`
      keep.push(`@${name}`)
      await tx.execute(sql`insert into commands (name, prefix, module, description, location_url, target_type, timeout_ms,
          permission_level, trigger_type, event_types, priority, execution_mode, is_active, aliases, observes, created_at, updated_at)
        values (${name}, '@', ${def.name}, ${o.name}, ${url}, 'module', 5000, 'everyone', 'event', ${JSON.stringify(o.types)},
          100, 'parallel', 1, '[]', 1, ${now}, ${now})
        on conflict (prefix, name) do update set module = excluded.module, location_url = excluded.location_url,
          event_types = excluded.event_types, observes = 1, is_active = 1, updated_at = excluded.updated_at`)
    }
    const rows = await tx.query<{ prefix: string; name: string }>(
      sql`select prefix, name from commands where module = ${def.name} and is_active = 1`,
    )
    for (const r of rows) {
      if (!keep.includes(`${r.prefix}${r.name}`)) {
        await tx.execute(
          sql`update commands set is_active = 0, updated_at = ${now} where prefix = ${r.prefix} and name = ${r.name}`,
        )
      }
    }
  })
}

export async function markModuleStopped(storage: Storage, name: string): Promise<void> {
  await storage.execute(sql`update modules set status = 'stopped', last_heartbeat = ${Date.now()} where name = ${name}`)
}
