/**
 * The Kong outbox: how a key's plaintext reaches the kong-admin-broker, which may run in another process or
 * be down when the key is made (docs/kong.md). Kong key-auth needs the plaintext and waddlebot keeps only a
 * hash, so while Kong mirroring is on, whoever creates a key also seals its plaintext (AES-256-GCM, key
 * derived from the service key) into `kong_outbox`, in the same transaction. The broker opens the row,
 * writes the credential to Kong and deletes the row. Revocations need no outbox: the broker reconciles them
 * from the key tables. A notification on the cache channel {@link KONG_CHANNEL} wakes the broker at once.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import type { Cache } from './cache/types.js'
import type { Settings } from './config.js'
import { resolveServiceKey } from './service-key.js'
import { sql } from './storage/sql.js'
import type { Queryable } from './storage/types.js'

export const KONG_BROKER = 'kong-admin-broker'
export const KONG_CHANNEL = 'kong:keys'
export const DEFAULT_KONG_ADMIN_URL = 'http://127.0.0.1:8001'

export type MirroredKeyKind = 'api' | 'user'

/** Kong's Admin API base: `modules.kong-admin-broker.admin_url`, else `KONG_ADMIN_URL`, else the default. */
export function kongAdminUrl(settings: Settings): string {
  const configured = settings.modules[KONG_BROKER]?.admin_url
  if (typeof configured === 'string' && configured) return configured
  return settings.env.KONG_ADMIN_URL || DEFAULT_KONG_ADMIN_URL
}

/**
 * Whether keys are mirrored into Kong: the broker is not disabled and Kong is configured (`KONG_ADMIN_URL`,
 * or `admin_url` / `mirror: true` under `modules.kong-admin-broker`). Off, no plaintext is ever sealed.
 */
export function kongMirrorOn(settings: Settings): boolean {
  const cfg = settings.modules[KONG_BROKER]
  if (cfg?.enabled === false || cfg?.mirror === false) return false
  return Boolean(settings.env.KONG_ADMIN_URL) || Boolean(cfg?.admin_url) || cfg?.mirror === true
}

function sealingKey(serviceKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serviceKey, 'waddlebot', 'kong-outbox-v1', 32))
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64url; bound to the key's kind and id. */
export function sealKey(serviceKey: string, kind: MirroredKeyKind, id: string, plaintext: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', sealingKey(serviceKey), iv)
  cipher.setAAD(Buffer.from(`${kind}:${id}`))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.')
}

/** The plaintext, or undefined when the row was sealed with another service key (or altered). */
export function openSealed(serviceKey: string, kind: MirroredKeyKind, id: string, sealed: string): string | undefined {
  const [v, iv, tag, body] = sealed.split('.')
  if (v !== 'v1' || !iv || !tag || body === undefined) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(serviceKey), Buffer.from(iv, 'base64url'))
    decipher.setAAD(Buffer.from(`${kind}:${id}`))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  } catch {
    return undefined
  }
}

/** What a key's creator hands to `createApiKey` / the identity module so the key reaches Kong. */
export interface KeyMirror {
  /** Seals the plaintext into the outbox (run it in the transaction that inserts the key). */
  record(db: Queryable, kind: MirroredKeyKind, id: string, plaintext: string): Promise<void>
  /** Wakes the broker (best effort: the broker's interval reconcile catches anything missed). */
  notify(): Promise<void>
}

/**
 * The mirror for these settings, or undefined when mirroring is off. `cache` is the process's cache when it
 * has one; otherwise a notification opens Redis for one publish when `REDIS_URL` is set.
 */
export function kongMirror(settings: Settings, cache?: Cache): KeyMirror | undefined {
  if (!kongMirrorOn(settings)) return undefined
  const serviceKey = resolveServiceKey(settings)
  return {
    async record(db, kind, id, plaintext) {
      await db.execute(sql`insert into kong_outbox (key_kind, key_id, sealed, created_at)
        values (${kind}, ${id}, ${sealKey(serviceKey, kind, id, plaintext)}, ${Date.now()})`)
    },
    async notify() {
      try {
        if (cache) return await cache.publish(KONG_CHANNEL, { at: Date.now() })
        if (!settings.redisUrl) return
        const { createCache } = await import('./cache/index.js')
        const shared = await createCache({ redisUrl: settings.redisUrl, namespace: settings.redisPrefix })
        try {
          await shared.publish(KONG_CHANNEL, { at: Date.now() })
        } finally {
          await shared.close()
        }
      } catch {
        // the broker's interval reconcile picks the change up
      }
    },
  }
}
