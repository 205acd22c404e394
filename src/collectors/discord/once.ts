/**
 * Once-only keys shared by every Discord collector process (cache locks, on Redis when configured):
 * several processes connected with one bot token receive the same gateway events, and an interaction may
 * be replayed at the HTTP endpoint, so each of these is taken by whichever process locks it first.
 */

/** How long an interaction id is remembered (Discord's interaction tokens live 15 min). */
export const INTERACTION_DEDUPE_MS = 15 * 60_000

/** The lock of an interaction id, shared by the gateway and the HTTP path. */
export const interactionKey = (id: string): string => `discord:interaction:${id}`

/** How long a DM stays locked (keyed by its unique message id). */
export const ONCE_TTL_MS = 60_000

/**
 * How long an event without an id of its own stays locked (guild-wide events, async replies to DMs). Every
 * process gets the same dispatch within milliseconds; the same event repeated within this window (e.g.
 * leaving and rejoining a voice channel in one session) is reported once.
 */
export const BROADCAST_TTL_MS = 10_000
