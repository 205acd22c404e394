/**
 * The {{name}} module, as an npm package. A bot loads it from node_modules because its waddlebot.yaml lists it
 * under `modules.{{name}}.package` (`waddlebot module add {{name}}` does both).
 * It imports only types from 'waddlebot', so the file runs as-is (tsx erases type imports).
 *
 * The shape (docs/modules.md): `setup` builds the module's state once at start; every command, event
 * handler, route and health check reads it as `ctx.state`, and `teardown` gets it back at stop. Other
 * modules are reached through `ctx.modules` (`ctx.modules.get('router')`, `ctx.modules.url('browser-source')`).
 */
import type { CommandContext, ModuleDefinition } from 'waddlebot'

/** What `setup` builds: who was greeted since the module started (one process's memory). */
export interface State {
  readonly greeted: Set<string>
}

/** `!{{name}} [words…]`: greets the caller (again, the second time) and echoes what they said. */
function greet(ctx: CommandContext<Record<string, unknown>, State>): string {
  const { user } = ctx.request
  const again = ctx.state.greeted.has(user.id) ? ' again' : ''
  ctx.state.greeted.add(user.id)
  const said = ctx.args.length > 0 ? ` You said: ${ctx.args.join(' ')}` : ''
  return `Hello${again}, ${user.display_name ?? user.name}! ({{name}} module)${said}`
}

export default {
  name: '{{name}}',
  version: '0.1.0',
  kind: 'interaction',
  summary: 'Says hello',
  setup: (): State => ({ greeted: new Set() }),
  commands: [{ name: '{{name}}', summary: 'Greets you', usage: '[words…]', run: greet }],
} satisfies ModuleDefinition<Record<string, unknown>, State>
