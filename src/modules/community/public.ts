/** What the CLI (and other modules) may use of the community module: the store and the change notice. */
export { type ActivityRow, activityOf, audit, type AuditRow, auditOf } from './audit.js'
export { notifyEntitiesChanged } from './notify.js'
export {
  addEntity,
  COMMUNITY_ROLES,
  type Community,
  type CommunitySummary,
  createCommunity,
  entitiesOf,
  listCommunities,
  type Member,
  membersOf,
  setRole,
  parseEntityId,
  requireCommunity,
} from './store.js'
