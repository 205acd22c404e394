/** Writes small project modules into a test project (plain objects: no imports needed). */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export function writeModule(projectDir: string, name: string, source: string): string {
  const dir = join(projectDir, 'modules', name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'index.ts'), source)
  return `./modules/${name}`
}

/** A module exercising every outcome: reply, moderator-only, slow, failing, bad reply, and an event handler. */
export const SAMPLE_MODULE = (name: string, port: number) => `
export default {
  name: '${name}', version: '1.0.0', kind: 'interaction', summary: 'test module', port: ${port},
  commands: [
    { name: 'greet', summary: 'Greets', aliases: ['hi'], usage: '[name]',
      run: (ctx) => 'Hello, ' + (ctx.args[0] ?? ctx.request.user.name) + '! (' + ctx.request.entity.community_id + ')' },
    { name: 'modonly', summary: 'Moderators only', permission: 'moderator', run: () => 'mod ok' },
    { name: 'slow', summary: 'Too slow', timeoutMs: 150, run: () => new Promise((r) => setTimeout(() => r('late'), 2000)) },
    { name: 'boom', summary: 'Throws', run: () => { throw new Error('kaput') } },
    { name: 'badreply', summary: 'Invalid reply', run: () => ({ type: 'media', media_type: 'smell' }) },
    { name: 'limited', summary: 'Ten a minute', rateLimit: 10, run: () => 'limited ok' },
    { name: 'cool', summary: 'Cooldown', cooldownMs: 60000, run: () => 'cool ok' },
    { name: 'show', summary: 'Overlay', run: () => [{ type: 'media', media_type: 'audio', title: 'Song', artist: 'Band' }, 'Now playing: Song'] },
  ],
  events: [
    { name: 'thanks', types: ['follow', 'raid'], run: (ctx) => 'Thanks for the ' + ctx.request.event.type + ', ' + ctx.request.user.name + '!' },
  ],
}
`

/**
 * `<dir>/greeter`: a module folder (its own package.json) whose index.ts uses TypeScript-only syntax (a type
 * annotation, `satisfies`), so it loads only with tsx: `!hello` answers `Hello, <name>!`. Port 8100.
 */
export function writeTypeScriptGreeter(dir: string): void {
  mkdirSync(join(dir, 'greeter'), { recursive: true })
  writeFileSync(join(dir, 'greeter', 'package.json'), '{"type":"module"}\n')
  writeFileSync(
    join(dir, 'greeter', 'index.ts'),
    [
      "import type { ModuleDefinition } from 'waddlebot'",
      "const hello = (name: string): string => 'Hello, ' + name + '!'",
      'export default {',
      "  name: 'greeter', version: '0.1.0', kind: 'interaction', summary: 'says hello', port: 8100,",
      "  commands: [{ name: 'hello', summary: 'greets', run: (ctx) => hello(ctx.request.user.name) }],",
      '} satisfies ModuleDefinition',
      '',
    ].join('\n'),
  )
}
