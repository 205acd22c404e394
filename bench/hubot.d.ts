// Minimal types for the parts of npm `hubot` (plain JavaScript) that bench/hubot.bench.ts uses.
declare module 'hubot' {
  import { EventEmitter } from 'node:events'
  export class Adapter extends EventEmitter {
    constructor(robot: unknown)
    send(envelope: unknown, ...strings: string[]): Promise<void>
    reply(envelope: unknown, ...strings: string[]): Promise<void>
    run(): Promise<void>
  }
  export class User {
    constructor(id: string, options?: Record<string, unknown>)
  }
  export class TextMessage {
    constructor(user: User, text: string, id: string)
  }
  export class Robot {
    constructor(adapter: unknown, httpd?: boolean, name?: string, alias?: string | false)
    loadAdapter(path?: string | null): Promise<void>
    hear(regex: RegExp, callback: (res: { send(...strings: string[]): void }) => void): void
    receive(message: TextMessage): Promise<void>
    shutdown(): void
  }
}
