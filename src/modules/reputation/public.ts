/**
 * reputation's public face for other modules: `ReputationClient` (over `ctx.modules.request`, wherever
 * reputation runs) and the wire types.
 */
import type { ModuleClients } from '../../runtime/module-clients.js'

export type { Standing, HistoryRow } from './service.js'
export type { CommunitySettings, Points, SettingsPatch } from './settings.js'
export { reputationMigrations } from './migrations.js'

export class ReputationClient {
  constructor(
    private readonly modules: ModuleClients,
    private readonly timeoutMs = 2000,
  ) {}

  /** The person last seen in `communityId` under `name` (login or display name), or undefined. */
  async resolve(
    communityId: string,
    name: string,
  ): Promise<{ subject: string; display_name: string | null } | undefined> {
    const res = await this.modules.request('reputation', '/api/v1/reputation/resolve', {
      body: { community_id: communityId, name },
      timeoutMs: this.timeoutMs,
    })
    if (res.status === 404) return undefined
    if (!res.ok) throw new Error(`reputation answered ${res.status}: ${(await res.text()).slice(0, 200)}`)
    return (await res.json()) as { subject: string; display_name: string | null }
  }
}
