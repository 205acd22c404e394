/**
 * The router (port 8000): every platform event passes through it. This is the foundation slice: intake,
 * command detection, lookup, permission, execution through the module contract, the execution log.
 */
import { defineModule } from '../../runtime/module.js'
import { builtinCommands } from './builtins.js'
import { routerRoutes } from './routes.js'

export default defineModule({
  name: 'router',
  version: '0.1.0',
  kind: 'router',
  summary: 'Commands, moderation and responses for every platform',
  port: 8000,
  commands: builtinCommands,
  routes: routerRoutes,
})
