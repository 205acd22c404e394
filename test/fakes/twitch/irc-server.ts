/**
 * A fake Twitch chat server: IRC over WebSocket (subprotocol `irc`) on 127.0.0.1, port 0, speaking enough of
 * Twitch's dialect for tmi.js (docs: /work/shared/reference/packages.md §4a): CAP, PASS/NICK with the
 * welcome burst and GLOBALUSERSTATE, JOIN (353/366, USERSTATE, ROOMSTATE), PART, PRIVMSG (answered with
 * USERSTATE), PING. It records every line clients send, tracks which channels each connection has joined,
 * and lets a test inject viewer messages.
 */
import type { AddressInfo } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'
import { twitchIdOf } from './ids.js'

export interface IrcLine {
  /** Connection number (1, 2, … in connect order). */
  readonly conn: number
  /** The NICK of that connection (empty before NICK). */
  readonly nick: string
  readonly raw: string
  readonly tags: Readonly<Record<string, string>>
  readonly command: string
  readonly params: readonly string[]
  /** The trailing parameter (after ` :`), e.g. the text of a PRIVMSG. */
  readonly trailing: string | undefined
}

export interface ViewerMessage {
  readonly user: string
  readonly text: string
  readonly id?: string
  readonly displayName?: string
  readonly userId?: string
  /** e.g. `broadcaster/1,subscriber/12` */
  readonly badges?: string
  readonly mod?: boolean
  readonly tags?: Readonly<Record<string, string>>
}

export interface UserNotice {
  readonly msgId: string
  readonly user: string
  /** `msg-param-<key>` tags, e.g. `{ viewerCount: '15', login: 'raider' }`. */
  readonly params?: Readonly<Record<string, string>>
  /** The user's message (resub, announcement). */
  readonly text?: string
  readonly systemMsg?: string
  readonly id?: string
}

/** IRC tag value escaping (space → `\s`, `;` → `\:`). */
const escapeTag = (v: string) => v.replace(/\\/g, '\\\\').replace(/;/g, '\\:').replace(/ /g, '\\s')

export interface FakeTwitchIrc {
  /** `ws://127.0.0.1:<port>` (TWITCH_IRC_URL). */
  readonly url: string
  readonly port: number
  /** Every line received from clients, in order. */
  readonly lines: IrcLine[]
  /** PRIVMSGs clients sent (optionally to one channel, `#` optional). */
  privmsgs(channel?: string): IrcLine[]
  /** Channels (logins, no `#`) joined right now, per nick (connections of one nick merged). */
  joined(nick: string): Set<string>
  /** Every nick → its joined channels. */
  membership(): Map<string, Set<string>>
  /** Sends a viewer's message to every connection in `channel`; resolves to its message id. */
  viewerMessage(channel: string, message: ViewerMessage): string
  /**
   * Sends a USERNOTICE with Twitch's tags (`msg-id` sub, resub, subgift, submysterygift, raid, announcement;
   * `params` become `msg-param-*`) from `user` to every connection in `channel`; returns its message id.
   */
  userNotice(channel: string, notice: UserNotice): string
  /** Makes `nick` a moderator in `channel` (USERSTATE mod=1 from now on, sent at once if joined). */
  setModerator(channel: string, nick: string, mod: boolean): void
  /** Polls `check` until it returns a truthy value (default 10 s); rejects with `what` on timeout. */
  waitFor<T>(what: string, check: () => T | undefined | null | false, timeoutMs?: number): Promise<T>
  /** Calls `handler` with every line a client sends, as it arrives (benchmarks time replies with it). */
  onLine(handler: (line: IrcLine) => void): () => void
  /** Closes every client connection (tmi.js reconnects). */
  dropConnections(): void
  close(): Promise<void>
}

interface Conn {
  readonly id: number
  readonly ws: WebSocket
  nick: string
  readonly channels: Set<string>
  /** Lines waiting for the end of this turn: they leave together in one frame. */
  outbox: string[]
}

/** Parses one IRC line (`@tags :prefix COMMAND params :trailing`). */
export function parseIrc(raw: string): Omit<IrcLine, 'conn' | 'nick'> {
  let rest = raw
  const tags: Record<string, string> = {}
  if (rest.startsWith('@')) {
    const space = rest.indexOf(' ')
    for (const kv of rest.slice(1, space).split(';')) {
      const eq = kv.indexOf('=')
      tags[eq < 0 ? kv : kv.slice(0, eq)] = eq < 0 ? '' : kv.slice(eq + 1)
    }
    rest = rest.slice(space + 1)
  }
  if (rest.startsWith(':')) rest = rest.slice(rest.indexOf(' ') + 1)
  const colon = rest.indexOf(' :')
  const trailing = colon >= 0 ? rest.slice(colon + 2) : undefined
  const [command = '', ...params] = (colon >= 0 ? rest.slice(0, colon) : rest).split(' ').filter(Boolean)
  return { raw, tags, command: command.toUpperCase(), params, trailing }
}

const chan = (c: string) => c.replace(/^#/, '').toLowerCase()

export async function startFakeTwitchIrc(): Promise<FakeTwitchIrc> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('irc') ? 'irc' : false),
  })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const port = (wss.address() as AddressInfo).port
  const lines: IrcLine[] = []
  const conns = new Set<Conn>()
  const moderators = new Set<string>() // `${channel} ${nick}`
  let connIds = 0
  let msgIds = 0
  const listeners = new Set<(line: IrcLine) => void>()

  /**
   * Lines sent to one connection in the same turn leave in one WebSocket frame, CRLF-separated, as Twitch's
   * server sends them (tmi.js splits a frame into lines). One frame per line made the fake's own writes the
   * largest single cost of the collector bench's process.
   */
  const send = (c: Conn, ...out: string[]) => {
    if (c.ws.readyState !== c.ws.OPEN) return
    if (c.outbox.length === 0) queueMicrotask(() => flush(c))
    c.outbox.push(...out)
  }
  const flush = (c: Conn) => {
    const out = c.outbox
    c.outbox = []
    if (out.length > 0 && c.ws.readyState === c.ws.OPEN) c.ws.send(out.join('\r\n'))
  }
  const userstate = (c: Conn, channel: string) => {
    const mod = moderators.has(`${channel} ${c.nick}`)
    return `@badge-info=;badges=${mod ? 'moderator/1' : ''};color=;display-name=${c.nick};emote-sets=0;mod=${mod ? 1 : 0};subscriber=0;user-type=${mod ? 'mod' : ''} :tmi.twitch.tv USERSTATE #${channel}`
  }

  function handle(c: Conn, line: IrcLine): void {
    const n = c.nick
    switch (line.command) {
      case 'CAP':
        send(c, ':tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands twitch.tv/membership')
        return
      case 'NICK':
        c.nick = (line.params[0] ?? '').toLowerCase()
        send(
          c,
          ...[
            '001 :Welcome, GLHF!',
            '002 :Your host is tmi.twitch.tv',
            '003 :This server is rather new',
            '004 :-',
            '375 :-',
            '372 :You are in a maze of twisty passages.',
            '376 :>',
          ].map((l) => `:tmi.twitch.tv ${l.replace(' ', ` ${c.nick} `)}`),
          `@badge-info=;badges=;color=;display-name=${c.nick};emote-sets=0;user-id=${twitchIdOf(c.nick)};user-type= :tmi.twitch.tv GLOBALUSERSTATE`,
        )
        return
      case 'JOIN':
        for (const ch of (line.params[0] ?? '').split(',').map(chan).filter(Boolean)) {
          c.channels.add(ch)
          send(
            c,
            `:${n}!${n}@${n}.tmi.twitch.tv JOIN #${ch}`,
            `:${n}.tmi.twitch.tv 353 ${n} = #${ch} :${n}`,
            `:${n}.tmi.twitch.tv 366 ${n} #${ch} :End of /NAMES list`,
            userstate(c, ch),
            `@emote-only=0;followers-only=-1;r9k=0;room-id=${twitchIdOf(ch)};slow=0;subs-only=0 :tmi.twitch.tv ROOMSTATE #${ch}`,
          )
        }
        return
      case 'PART':
        for (const ch of (line.params[0] ?? '').split(',').map(chan).filter(Boolean)) {
          c.channels.delete(ch)
          send(c, `:${n}!${n}@${n}.tmi.twitch.tv PART #${ch}`)
        }
        return
      case 'PRIVMSG':
        send(c, userstate(c, chan(line.params[0] ?? '')))
        return
      case 'PING':
        send(c, 'PONG :tmi.twitch.tv') // as Twitch answers (no prefix); tmi.js ignores a prefixed PONG and times out
        return
      default:
        return
    }
  }

  wss.on('connection', (ws) => {
    const c: Conn = { id: ++connIds, ws, nick: '', channels: new Set(), outbox: [] }
    conns.add(c)
    ws.on('close', () => conns.delete(c))
    ws.on('message', (data) => {
      for (const raw of data
        .toString()
        .split(/\r?\n/)
        .filter((l) => l.trim() !== '')) {
        const line = { conn: c.id, nick: c.nick, ...parseIrc(raw) }
        lines.push(line)
        for (const l of listeners) l(line)
        handle(c, line)
      }
    })
  })

  const fake: FakeTwitchIrc = {
    url: `ws://127.0.0.1:${port}`,
    port,
    lines,
    privmsgs: (channel) =>
      lines.filter(
        (l) => l.command === 'PRIVMSG' && (channel === undefined || chan(l.params[0] ?? '') === chan(channel)),
      ),
    onLine(handler) {
      listeners.add(handler)
      return () => listeners.delete(handler)
    },
    joined: (nick) => fake.membership().get(nick.toLowerCase()) ?? new Set(),
    membership() {
      const out = new Map<string, Set<string>>()
      for (const c of conns) {
        const set = out.get(c.nick) ?? new Set<string>()
        for (const ch of c.channels) set.add(ch)
        out.set(c.nick, set)
      }
      return out
    },
    viewerMessage(channel, m) {
      const ch = chan(channel)
      const id = m.id ?? `msg-${++msgIds}`
      const tags = {
        'badge-info': '',
        badges: m.badges ?? '',
        color: '#1E90FF',
        'display-name': m.displayName ?? m.user,
        emotes: '',
        'first-msg': '0',
        flags: '',
        id,
        mod: m.mod ? '1' : '0',
        'returning-chatter': '0',
        'room-id': twitchIdOf(ch),
        subscriber: (m.badges ?? '').includes('subscriber') ? '1' : '0',
        'tmi-sent-ts': String(Date.now()),
        turbo: '0',
        'user-id': m.userId ?? twitchIdOf(m.user),
        'user-type': m.mod ? 'mod' : '',
        ...m.tags,
      }
      const tagText = Object.entries(tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(';')
      const u = m.user.toLowerCase()
      for (const c of conns)
        if (c.channels.has(ch)) send(c, `@${tagText} :${u}!${u}@${u}.tmi.twitch.tv PRIVMSG #${ch} :${m.text}`)
      return id
    },
    userNotice(channel, n) {
      const ch = chan(channel)
      const id = n.id ?? `notice-${++msgIds}`
      const u = n.user.toLowerCase()
      const tags: Record<string, string> = {
        'badge-info': '',
        badges: '',
        color: '#9ACD32',
        'display-name': n.user,
        emotes: '',
        flags: '',
        id,
        login: u,
        mod: '0',
        'msg-id': n.msgId,
        ...Object.fromEntries(Object.entries(n.params ?? {}).map(([k, v]) => [`msg-param-${k}`, v])),
        'room-id': twitchIdOf(ch),
        subscriber: '0',
        'system-msg': n.systemMsg ?? `${n.user} ${n.msgId}`,
        'tmi-sent-ts': String(Date.now()),
        turbo: '0',
        'user-id': u === 'ananonymousgifter' ? '274598607' : twitchIdOf(u),
        'user-type': '',
      }
      const line = `@${Object.entries(tags)
        .map(([k, v]) => `${k}=${escapeTag(v)}`)
        .join(';')} :tmi.twitch.tv USERNOTICE #${ch}${n.text ? ` :${n.text}` : ''}`
      for (const c of conns) if (c.channels.has(ch)) send(c, line)
      return id
    },
    setModerator(channel, nick, mod) {
      const key = `${chan(channel)} ${nick.toLowerCase()}`
      if (mod) moderators.add(key)
      else moderators.delete(key)
      for (const c of conns)
        if (c.nick === nick.toLowerCase() && c.channels.has(chan(channel))) send(c, userstate(c, chan(channel)))
    },
    async waitFor(what, check, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs
      for (;;) {
        const value = check()
        if (value) return value
        if (Date.now() > until) throw new Error(`fake Twitch IRC: timed out waiting for ${what}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    dropConnections() {
      for (const c of conns) c.ws.terminate()
    },
    async close() {
      for (const c of conns) c.ws.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
  return fake
}
