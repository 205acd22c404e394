/** Stable fake Twitch user ids: the same login always maps to the same numeric id (IRC tags and Helix agree). */
import { createHash } from 'node:crypto'

/** A numeric id string for `login` (case-insensitive), e.g. `twitchIdOf('chan') === '…'`. */
export function twitchIdOf(login: string): string {
  const digest = createHash('sha256').update(login.toLowerCase().replace(/^#/, '')).digest()
  return String(100_000 + (digest.readUInt32BE(0) % 900_000_000))
}
