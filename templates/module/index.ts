/**
 * The {{name}} module. waddlebot loads it because waddlebot.yaml lists it under `modules.{{name}}`.
 * It imports only types from 'waddlebot', so the file runs as-is (tsx erases type imports).
 */
import type { CommandContext, ModuleDefinition } from 'waddlebot'

/** `!{{name}} [words…]`: greets the caller and echoes what they said. */
function greet(ctx: CommandContext): string {
  const { user } = ctx.request
  const said = ctx.args.length > 0 ? ` You said: ${ctx.args.join(' ')}` : ''
  return `Hello, ${user.display_name ?? user.name}! ({{name}} module)${said}`
}

export default {
  name: '{{name}}',
  version: '0.1.0',
  kind: 'interaction',
  summary: 'Says hello',
  port: {{port}},
  commands: [{ name: '{{name}}', summary: 'Greets you', usage: '[words…]', run: greet }],
} satisfies ModuleDefinition
