/** `modules.inventory` settings: who may change the inventory, globally and per community. */
import { z } from 'zod'
import { PERMISSION_LEVELS, type PermissionLevel } from '../../runtime/module.js'

const level = z.enum(PERMISSION_LEVELS)

export const inventoryConfigSchema = z.object({
  /** Lowest role that may add, delete, check out, check in and label items (default moderator). */
  manage_permission: level.default('moderator'),
  /** Per-community overrides: `communities.<community id>.manage_permission`. */
  communities: z.record(z.string(), z.object({ manage_permission: level.optional() })).default({}),
  /** Most items one `list` or `search` line names before "+N more". */
  list_limit: z.number().int().min(1).max(50).default(15),
})

export type InventoryConfig = z.infer<typeof inventoryConfigSchema>

/** The level needed to change a community's inventory. */
export function managePermission(config: InventoryConfig, communityId: string): PermissionLevel {
  return config.communities[communityId]?.manage_permission ?? config.manage_permission
}
