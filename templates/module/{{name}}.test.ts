import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { CommandContext } from 'waddlebot'
import mod, { type State } from './index.js'

/** Just enough of a command context for `run`: the execution request, the arguments and the module state. */
function contextFor(
  args: string[],
  user: { id: string; name: string; display_name?: string },
  state: State = mod.setup(),
): CommandContext<Record<string, unknown>, State> {
  const request = {
    execution_id: 'exec-1',
    session_id: 'session-1',
    command: '!{{name}}',
    args,
    raw_message: ['!{{name}}', ...args].join(' '),
    trigger: 'command',
    user: { ...user, roles: [] },
    entity: {
      id: 'local:console:main',
      platform: 'local',
      server_id: 'console',
      channel_id: 'main',
      community_id: 'local',
    },
  }
  return { module: '{{name}}', config: {}, request, args, state } as unknown as CommandContext<
    Record<string, unknown>,
    State
  >
}

const command = mod.commands.find((c) => c.name === '{{name}}')

test('!{{name}} greets the caller by display name', async () => {
  assert.ok(command, 'the module declares !{{name}}')
  const reply = await command.run(contextFor([], { id: 'u1', name: 'ada', display_name: 'Ada' }))
  assert.equal(reply, 'Hello, Ada! ({{name}} module)')
})

test('!{{name}} falls back to the user name and echoes the arguments', async () => {
  assert.ok(command)
  const reply = await command.run(contextFor(['nice', 'stream'], { id: 'u2', name: 'grace' }))
  assert.equal(reply, 'Hello, grace! ({{name}} module) You said: nice stream')
})

test('!{{name}} remembers who it greeted since start (the state setup built)', async () => {
  assert.ok(command)
  const state = mod.setup()
  await command.run(contextFor([], { id: 'u3', name: 'lin' }, state))
  assert.equal(
    await command.run(contextFor([], { id: 'u3', name: 'lin' }, state)),
    'Hello again, lin! ({{name}} module)',
  )
})
