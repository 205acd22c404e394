/**
 * Entities are created on first sight; each belongs to a community (`default` until `community add-entity`
 * or `!community create` assigns another). The community of an entity is cached a minute per process, and
 * dropped at once when ENTITIES_CHANGED is published (the community module does, on every assignment).
 */
import type { InboundEvent } from '../../contract/events.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

export const DEFAULT_COMMUNITY = 'default'
/** Pub/sub channel: an entity changed community (`{entity_id?}`; without one, every entity is re-read). */
export const ENTITIES_CHANGED = 'entities:changed'
const TTL_MS = 60_000

export class EntityBook {
  #community = new Map<string, { id: string; at: number }>()
  constructor(private readonly db: Queryable) {}

  /** Forgets one entity's community (or all): the next event reads it again. */
  forget(entityId?: string): void {
    if (entityId === undefined) this.#community.clear()
    else this.#community.delete(entityId)
  }

  /** The entity's community id; inserts the entity the first time this process sees it. */
  async ensure(entityId: string, event: InboundEvent): Promise<string> {
    const known = this.#community.get(entityId)
    if (known && Date.now() - known.at < TTL_MS) return known.id
    const now = Date.now()
    await this.db.execute(sql`insert into entities (entity_id, platform, server_id, channel_id, community_id, is_active, config, first_seen_at, last_seen_at)
      values (${entityId}, ${event.platform}, ${event.server_id}, ${event.channel_id}, ${DEFAULT_COMMUNITY}, 1, '{}', ${now}, ${now})
      on conflict (entity_id) do update set last_seen_at = excluded.last_seen_at`)
    const row = await this.db.one<{ community_id: string | null }>(
      sql`select community_id from entities where entity_id = ${entityId}`,
    )
    const community = row?.community_id ?? DEFAULT_COMMUNITY
    if (this.#community.size > 100_000) this.#community.clear()
    this.#community.set(entityId, { id: community, at: Date.now() })
    return community
  }
}
