/**
 * Ed25519 signing as Discord does it for HTTP interactions: a key pair whose public half is the 64-hex-char
 * `DISCORD_PUBLIC_KEY`, and headers `X-Signature-Ed25519` / `X-Signature-Timestamp` over timestamp + raw body.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto'

/** Signs requests as Discord does for an application. */
export interface InteractionSigner {
  /** The raw 32-byte public key as hex (DISCORD_PUBLIC_KEY). */
  readonly publicKeyHex: string
  /** Signature (hex) of `timestamp + body`. */
  sign(timestamp: string, body: string): string
  /** The headers of a signed request; `timestamp` defaults to now (unix seconds). */
  headers(body: string, timestamp?: string): Record<string, string>
}

/** A fresh Ed25519 key pair as a Discord application would have. */
export function createInteractionSigner(): InteractionSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const raw = (publicKey.export({ format: 'jwk' }) as { x: string }).x
  return signerFor(privateKey, Buffer.from(raw, 'base64url').toString('hex'))
}

function signerFor(privateKey: KeyObject, publicKeyHex: string): InteractionSigner {
  const signer: InteractionSigner = {
    publicKeyHex,
    sign: (timestamp, body) => sign(null, Buffer.from(timestamp + body), privateKey).toString('hex'),
    headers: (body, timestamp = String(Math.floor(Date.now() / 1000))) => ({
      'content-type': 'application/json',
      'x-signature-ed25519': signer.sign(timestamp, body),
      'x-signature-timestamp': timestamp,
    }),
  }
  return signer
}
