import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  answerInteraction,
  FAILED,
  type InteractionAnswer,
  type MessageBody,
  messageBody,
  NOTHING,
} from './interactions.js'
import type { DiscordMessage } from './render.js'

type Call = [string, MessageBody?]

function recorder(onDefer?: () => void): { answer: InteractionAnswer; calls: Call[] } {
  const calls: Call[] = []
  return {
    calls,
    answer: {
      reply: async (b) => void calls.push(['reply', b]),
      defer: async () => {
        calls.push(['defer'])
        onDefer?.()
      },
      editOriginal: async (b) => void calls.push(['edit', b]),
      followUp: async (b) => void calls.push(['followUp', b]),
    },
  }
}

const msg = (content: string, extra: Partial<DiscordMessage> = {}): DiscordMessage => ({
  kind: 'message',
  content,
  ...extra,
})
const body = (m: DiscordMessage) => messageBody(m, { interaction: true })

describe('answering an interaction', () => {
  test('an answer in time is a type-4 reply, extra messages follow up', async () => {
    const { answer, calls } = recorder()
    assert.equal(await answerInteraction(answer, Promise.resolve([msg('a'), msg('b')]), 10_000), 'immediate')
    assert.deepEqual(calls, [
      ['reply', body(msg('a'))],
      ['followUp', body(msg('b'))],
    ])
  })

  test('a late answer is deferred, then the original is edited and the rest followed up', async () => {
    let release!: (m: DiscordMessage[]) => void
    const work = new Promise<DiscordMessage[]>((r) => {
      release = r
    })
    // The router answers only once the deferral went out, so the order is certain.
    const { answer, calls } = recorder(() => release([msg('late'), msg('more')]))
    assert.equal(await answerInteraction(answer, work, 1), 'deferred')
    assert.deepEqual(calls, [['defer'], ['edit', body(msg('late'))], ['followUp', body(msg('more'))]])
  })

  test('no responses, or a router failure, still answer (ephemerally)', async () => {
    const empty = recorder()
    await answerInteraction(empty.answer, Promise.resolve([]), 10_000)
    assert.deepEqual(empty.calls, [['reply', body(NOTHING)]])
    assert.equal(empty.calls[0]![1]!.flags, 64)
    const failed = recorder()
    await answerInteraction(failed.answer, Promise.reject(new Error('router down')), 10_000)
    assert.deepEqual(failed.calls, [['reply', body(FAILED)]])
  })

  test('message bodies: users-only mentions; replies in channels, ephemeral in interactions', () => {
    assert.deepEqual(messageBody(msg('hi', { replyTo: '9', ephemeral: true })), {
      content: 'hi',
      allowed_mentions: { parse: ['users'], replied_user: true },
      message_reference: { message_id: '9', fail_if_not_exists: false },
    })
    assert.deepEqual(messageBody(msg('hi', { replyTo: '9', ephemeral: true }), { interaction: true }), {
      content: 'hi',
      flags: 64,
      allowed_mentions: { parse: ['users'], replied_user: true },
    })
  })
})
