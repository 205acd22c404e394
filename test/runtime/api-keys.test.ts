/**
 * API keys: created, looked up, revoked, on both databases. On SQLite valid keys are remembered while the
 * database's data_version stays the same, so a revocation from another connection (another process's
 * `waddlebot keys revoke`) or from this one must still refuse the key on its very next use.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { createApiKey, lookupApiKey, revokeApiKey } from '../../src/runtime/api-keys.js'
import { coreMigrations } from '../../src/runtime/storage/core-migrations.js'
import { createStorage } from '../../src/runtime/storage/index.js'
import type { Storage } from '../../src/runtime/storage/types.js'
import { serversUnavailable } from '../helpers/backends.js'
import { freshPostgresUrl } from '../helpers/pg.js'

const dir = mkdtempSync(join(tmpdir(), 'wb-keys-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const pgSkip = await serversUnavailable()

async function open(url: string): Promise<Storage> {
  const storage = await createStorage({ url, cwd: dir })
  await storage.migrate([coreMigrations])
  return storage
}

async function revocationCases(url: () => Promise<{ url: string; drop?: () => Promise<void> }>): Promise<void> {
  const target = await url()
  const a = await open(target.url)
  const b = await open(target.url) // another connection, as another process would hold
  try {
    const created = await createApiKey(a, 'bot', 'collector')
    assert.deepEqual(await lookupApiKey(a, created.key), { id: created.id, scope: 'collector' })
    assert.deepEqual(await lookupApiKey(a, created.key), { id: created.id, scope: 'collector' }, 'remembered')
    assert.equal(await lookupApiKey(a, `${created.key}x`), undefined)
    assert.equal(await lookupApiKey(a, 'not-a-key'), undefined)
    await revokeApiKey(b, created.id)
    assert.equal(await lookupApiKey(a, created.key), undefined, 'revoked by another connection: refused at once')

    const second = await createApiKey(b, 'bot2', 'admin')
    assert.equal((await lookupApiKey(a, second.key))?.scope, 'admin')
    await revokeApiKey(a, second.id)
    assert.equal(await lookupApiKey(a, second.key), undefined, 'revoked through this connection: refused at once')
    await assert.rejects(
      revokeApiKey(a, second.id),
      (e: Error & { code?: string }) => e.code === 'WB_KEY_REVOKED' && /already revoked at \d{4}-/.test(e.message),
    )
    await assert.rejects(revokeApiKey(a, 'no-such-id'), (e: Error & { code?: string }) => e.code === 'WB_KEY_UNKNOWN')
  } finally {
    await a.close()
    await b.close()
    await target.drop?.()
  }
}

describe('api keys', () => {
  test('SQLite: a revoked key is refused on its next use, whoever revoked it', () =>
    revocationCases(async () => ({ url: `sqlite:${join(dir, 'keys.db')}` })))
  test('Postgres: a revoked key is refused on its next use, whoever revoked it', { skip: pgSkip }, () =>
    revocationCases(freshPostgresUrl),
  )
})
