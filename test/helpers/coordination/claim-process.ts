/**
 * Test support: a separate process of claiming containers. Configured by the `WB_CLAIM_PROCESS` env var
 * (JSON `{url, platform, containers, cap}`); prints `ready`, waits for `go` on stdin, then prints one JSON
 * line `{"<container>": ["<entity>", …]}` and exits.
 */
import { createInterface } from 'node:readline'
import { createStorage } from '../../../src/runtime/storage/index.js'
import { claimUntilFull } from './claim-loop.js'
import { createCoordination } from '../../../src/modules/router/coordination/store.js'

interface Job {
  url: string
  platform: string
  containers: string[]
  cap: number
}

const job = JSON.parse(process.env['WB_CLAIM_PROCESS'] ?? '{}') as Job
const storage = await createStorage({ url: job.url })
const coordination = createCoordination(storage)
const lines = createInterface({ input: process.stdin })
process.stdout.write('ready\n')
for await (const line of lines) if (line.trim() === 'go') break
lines.close()
const claims = await Promise.all(job.containers.map((id) => claimUntilFull(coordination, job.platform, id, job.cap)))
process.stdout.write(`${JSON.stringify(Object.fromEntries(job.containers.map((id, i) => [id, claims[i]])))}\n`)
await storage.close()
