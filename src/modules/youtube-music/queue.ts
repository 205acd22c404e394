/**
 * The per-community song queue, in `youtube_music_queue`. Every change runs in one transaction that first
 * locks the community's `youtube_music_state` row, so concurrent requests (other replicas included) see a
 * consistent queue: one track playing at most, no duplicate, limits counted exactly.
 */
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable, Storage, Transaction } from '../../runtime/storage/types.js'
import type { Track } from './youtube-api.js'

export type EntryStatus = 'queued' | 'playing' | 'played' | 'skipped' | 'stopped'

/** One row of `youtube_music_queue`. */
export interface QueueEntry {
  readonly id: number
  readonly community_id: string
  readonly entity_id: string
  readonly video_id: string
  readonly title: string
  readonly artist: string
  readonly art_url: string | null
  /** Seconds (0 = unknown, never auto-advanced). */
  readonly duration: number
  readonly requested_by: string
  readonly requested_by_name: string
  readonly status: EntryStatus
  readonly requested_at: number
  readonly started_at: number | null
  readonly ended_at: number | null
}

export interface Requester {
  readonly id: string
  readonly name: string
}

export interface QueueLimits {
  /** Most tracks waiting behind the one playing. */
  readonly maxQueueSize: number
  /** Most tracks one user may have waiting or playing. */
  readonly perUserLimit: number
}

export type EnqueueResult =
  | { readonly kind: 'playing'; readonly entry: QueueEntry }
  | { readonly kind: 'queued'; readonly entry: QueueEntry; readonly position: number }
  | { readonly kind: 'duplicate'; readonly entry: QueueEntry }
  | { readonly kind: 'user_limit'; readonly limit: number }
  | { readonly kind: 'full'; readonly limit: number }

export interface EnqueueInput {
  readonly communityId: string
  readonly entityId: string
  readonly track: Track
  readonly requester: Requester
}

const ACTIVE = sql`status in ('queued', 'playing')`

async function lockCommunity(tx: Transaction, communityId: string): Promise<void> {
  await tx.execute(
    sql`insert into youtube_music_state (community_id, version) values (${communityId}, 0) on conflict (community_id) do nothing`,
  )
  await tx.execute(sql`update youtube_music_state set version = version + 1 where community_id = ${communityId}`)
}

async function count(db: Queryable, where: ReturnType<typeof sql>): Promise<number> {
  const row = await db.one<{ n: number | string }>(sql`select count(*) as n from youtube_music_queue where ${where}`)
  return Number(row?.n ?? 0)
}

/** Adds a track: it starts playing when nothing is, else it waits at the end of the queue. */
export async function enqueue(
  db: Storage,
  input: EnqueueInput,
  limits: QueueLimits,
  now: number,
): Promise<EnqueueResult> {
  const { communityId: cid, track, requester } = input
  return db.transaction(async (tx) => {
    await lockCommunity(tx, cid)
    const dup = await tx.one<QueueEntry>(sql`select * from youtube_music_queue
      where community_id = ${cid} and video_id = ${track.videoId} and ${ACTIVE}`)
    if (dup) return { kind: 'duplicate', entry: normalize(dup) }
    const mine = await count(tx, sql`community_id = ${cid} and requested_by = ${requester.id} and ${ACTIVE}`)
    if (mine >= limits.perUserLimit) return { kind: 'user_limit', limit: limits.perUserLimit }
    const playing = await tx.one(
      sql`select id from youtube_music_queue where community_id = ${cid} and status = 'playing'`,
    )
    const waiting = await count(tx, sql`community_id = ${cid} and status = 'queued'`)
    if (playing && waiting >= limits.maxQueueSize) return { kind: 'full', limit: limits.maxQueueSize }
    const status: EntryStatus = playing ? 'queued' : 'playing'
    const row = await tx.one<QueueEntry>(sql`insert into youtube_music_queue
      (community_id, entity_id, video_id, title, artist, art_url, duration, requested_by, requested_by_name, status, requested_at, started_at)
      values (${cid}, ${input.entityId}, ${track.videoId}, ${track.title}, ${track.artist}, ${track.artUrl ?? null}, ${track.duration},
        ${requester.id}, ${requester.name}, ${status}, ${now}, ${playing ? null : now})
      returning *`)
    const entry = normalize(row!)
    return playing ? { kind: 'queued', entry, position: waiting + 1 } : { kind: 'playing', entry }
  })
}

/** The track playing in the community, if any. */
export async function nowPlaying(db: Queryable, communityId: string): Promise<QueueEntry | undefined> {
  const row = await db.one<QueueEntry>(
    sql`select * from youtube_music_queue where community_id = ${communityId} and status = 'playing'`,
  )
  return row ? normalize(row) : undefined
}

/** The first `limit` waiting tracks, in play order, and how many wait in all. */
export async function upcoming(
  db: Queryable,
  communityId: string,
  limit: number,
): Promise<{ entries: QueueEntry[]; total: number }> {
  const rows = await db.query<QueueEntry>(sql`select * from youtube_music_queue
    where community_id = ${communityId} and status = 'queued' order by id limit ${limit}`)
  return {
    entries: rows.map(normalize),
    total: await count(db, sql`community_id = ${communityId} and status = 'queued'`),
  }
}

/** Every track playing right now, across communities (to re-arm timers at start). */
export async function allPlaying(db: Queryable): Promise<QueueEntry[]> {
  return (await db.query<QueueEntry>(sql`select * from youtube_music_queue where status = 'playing' order by id`)).map(
    normalize,
  )
}

export interface Advance {
  /** The track that stopped playing. */
  readonly ended: QueueEntry
  /** The track that started, if one was waiting. */
  readonly next: QueueEntry | undefined
}

/**
 * Ends the playing track (as `played` or `skipped`) and starts the next waiting one. With `expectedId`,
 * does nothing unless that very track is still playing, so a late or duplicate timer is harmless.
 */
export async function advance(
  db: Storage,
  communityId: string,
  how: 'played' | 'skipped',
  now: number,
  expectedId?: number,
): Promise<Advance | undefined> {
  return db.transaction(async (tx) => {
    await lockCommunity(tx, communityId)
    const current = await tx.one<QueueEntry>(
      sql`select * from youtube_music_queue where community_id = ${communityId} and status = 'playing'`,
    )
    if (!current || (expectedId !== undefined && Number(current.id) !== expectedId)) return undefined
    const ended = await tx.one<QueueEntry>(sql`update youtube_music_queue set status = ${how}, ended_at = ${now}
      where id = ${current.id} returning *`)
    const first = await tx.one<{ id: number }>(sql`select id from youtube_music_queue
      where community_id = ${communityId} and status = 'queued' order by id limit 1`)
    const next = first
      ? await tx.one<QueueEntry>(
          sql`update youtube_music_queue set status = 'playing', started_at = ${now} where id = ${first.id} returning *`,
        )
      : undefined
    return { ended: normalize(ended!), next: next ? normalize(next) : undefined }
  })
}

/** Stops the playing track and drops every waiting one; returns how many rows were stopped. */
export async function stopAll(
  db: Storage,
  communityId: string,
  now: number,
): Promise<{ playing: QueueEntry | undefined; dropped: number }> {
  return db.transaction(async (tx) => {
    await lockCommunity(tx, communityId)
    const current = await tx.one<QueueEntry>(
      sql`select * from youtube_music_queue where community_id = ${communityId} and status = 'playing'`,
    )
    const res = await tx.execute(sql`update youtube_music_queue set status = 'stopped', ended_at = ${now}
      where community_id = ${communityId} and ${ACTIVE}`)
    return { playing: current ? normalize(current) : undefined, dropped: res.changes - (current ? 1 : 0) }
  })
}

/** Postgres returns bigint columns as numbers already; SQLite may too. This pins the types. */
function normalize(row: QueueEntry): QueueEntry {
  return {
    ...row,
    id: Number(row.id),
    duration: Number(row.duration),
    requested_at: Number(row.requested_at),
    started_at: row.started_at === null ? null : Number(row.started_at),
    ended_at: row.ended_at === null ? null : Number(row.ended_at),
  }
}
