/**
 * community (port 8045): communities own entities (channels, servers, workspaces) across platforms; their
 * members have roles (owner, admin, moderator, member) that the router's permission ladder reads beside the
 * platform roles, and the router counts limits and applies overrides per community. `!community …` in chat,
 * `waddlebot community …` on the CLI, REST for the hub; every admin action leaves an audit_log row.
 * The tables are the core ones (communities, community_members, community_activity, audit_log). docs/community.md.
 */
import { defineModule } from '../../runtime/module.js'
import { communityCommands } from './commands.js'
import { manifest } from './manifest.js'
import { communityRoutes } from './routes.js'

export default defineModule({
  name: manifest.name,
  version: '0.1.0',
  kind: manifest.kind,
  summary: manifest.summary,
  port: manifest.port,
  commands: communityCommands,
  routes: (app, ctx) => communityRoutes(app, ctx),
})
