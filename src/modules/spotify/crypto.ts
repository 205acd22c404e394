/**
 * Encryption at rest for Spotify tokens: AES-256-GCM with a 96-bit random IV and the row's identity as
 * additional data (a token copied into another community's row does not decrypt).
 *
 * The key: `WADDLEBOT_SECRET_KEY` (32 bytes, as 64 hex characters or base64/base64url) when set; otherwise
 * derived from the service key with HKDF-SHA256 (salt `waddlebot`, info `waddlebot spotify tokens v1`).
 * Changing either key makes stored tokens unreadable: the streamer logs in again.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto'
import type { Settings } from '../../runtime/config.js'
import { readServiceKey, resolveServiceKey } from '../../runtime/service-key.js'

const VERSION = 'v1'
const HKDF_SALT = 'waddlebot'
const HKDF_INFO = 'waddlebot spotify tokens v1'

export interface TokenCipher {
  /** A short fingerprint of the key (stored beside each row, so a key change is detected, not guessed). */
  readonly keyId: string
  /** `v1.<iv>.<tag>.<ciphertext>` (base64url parts). */
  encrypt(plain: string, aad: string): string
  /** Throws when the box was not made with this key and `aad`, or was altered. */
  decrypt(box: string, aad: string): string
}

/** 32 bytes from 64 hex characters or base64 / base64url; throws naming the problem otherwise. */
export function parseSecretKey(raw: string): Buffer {
  const text = raw.trim()
  const bytes = /^[0-9a-f]{64}$/i.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]+=*$/.test(text)
      ? Buffer.from(text, 'base64')
      : undefined
  if (bytes?.length !== 32) {
    throw new Error(
      `WADDLEBOT_SECRET_KEY must be 32 bytes written as 64 hex characters or base64 (got ${bytes ? `${bytes.length} bytes` : 'neither'}); generate one with \`openssl rand -base64 32\``,
    )
  }
  return bytes
}

/** HKDF-SHA256 of the service key: the fallback when no WADDLEBOT_SECRET_KEY is set. */
export function deriveKeyFromServiceKey(serviceKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serviceKey, HKDF_SALT, HKDF_INFO, 32))
}

export interface ResolvedKey {
  readonly key: Buffer
  readonly source: 'WADDLEBOT_SECRET_KEY' | 'service key (HKDF)'
}

/** The token key for these settings (creates the service key file if needed, like the runtime does). */
export function resolveTokenKey(settings: Settings): ResolvedKey {
  const explicit = settings.env.WADDLEBOT_SECRET_KEY
  if (explicit) return { key: parseSecretKey(explicit), source: 'WADDLEBOT_SECRET_KEY' }
  return { key: deriveKeyFromServiceKey(resolveServiceKey(settings)), source: 'service key (HKDF)' }
}

/** Like resolveTokenKey but never creates a service key; undefined when there is no key at all (doctor). */
export function peekTokenKey(settings: Settings): ResolvedKey | undefined {
  const explicit = settings.env.WADDLEBOT_SECRET_KEY
  if (explicit) return { key: parseSecretKey(explicit), source: 'WADDLEBOT_SECRET_KEY' }
  const service = readServiceKey(settings)
  return service ? { key: deriveKeyFromServiceKey(service), source: 'service key (HKDF)' } : undefined
}

/** The fingerprint stored with each row: not the key, not reversible. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('waddlebot key id\0').update(key).digest('hex').slice(0, 16)
}

export function createTokenCipher(key: Buffer): TokenCipher {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key')
  return {
    keyId: keyIdOf(key),
    encrypt(plain, aad) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from(aad, 'utf8'))
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return [VERSION, iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.')
    },
    decrypt(box, aad) {
      const [version, iv, tag, body] = box.split('.')
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not an encrypted token')
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 })
      decipher.setAAD(Buffer.from(aad, 'utf8'))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
    },
  }
}
