/** The documented port of every seed module (CONTRACT §3). Same port in every mode. */
export const SEED_PORTS = {
  router: 8000, marketplace: 8001, twitch: 8002, discord: 8003, slack: 8004, ai: 8005, alias: 8010,
  shoutout: 8020, inventory: 8024, 'youtube-music': 8025, spotify: 8026, 'browser-source': 8027,
  calendar: 8030, memories: 8031, labels: 8040, community: 8045, identity: 8050, reputation: 8055,
  hub: 8060, 'kong-admin-broker': 8080,
} as const satisfies Record<string, number>

export type SeedModuleName = keyof typeof SEED_PORTS

/** `WADDLEBOT_PORT_OFFSET` as a number (0 when unset); throws on garbage. */
export function portOffsetFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WADDLEBOT_PORT_OFFSET
  if (raw === undefined || raw === '') return 0
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0 || n > 50_000) {
    throw new Error(`WADDLEBOT_PORT_OFFSET must be an integer between 0 and 50000, got ${raw}`)
  }
  return n
}
