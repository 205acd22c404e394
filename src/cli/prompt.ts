/**
 * Questions on the terminal, answers from stdin: on a TTY the question is shown (a secret's answer is not
 * echoed); from a pipe the answers are read line by line, in order, without questions (so tests and scripts
 * drive the same flow: `printf 'token\n' | waddlebot auth discord`). An answer that cannot come (stdin
 * closed) is a WB_INPUT_INVALID naming the field.
 */
import { createInterface, type Interface } from 'node:readline'
import { WaddleError } from '../runtime/errors.js'

export interface Prompter {
  readonly interactive: boolean
  /** The next answer (trimmed); `fallback` when it is empty. */
  ask(field: string, question: string, options?: { secret?: boolean; fallback?: string }): Promise<string>
  close(): void
}

export function createPrompter(
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stdout,
): Prompter {
  const interactive = Boolean(input.isTTY && output.isTTY)
  let rl: Interface | undefined
  let muted = false
  const queued: string[] = []
  const waiting: ((line: string | undefined) => void)[] = []
  let closed = false
  const open = () => {
    if (rl) return rl
    rl = createInterface({ input, output, terminal: interactive })
    // Mutes the echo of a secret's keystrokes (the question itself is written before muting).
    const internal = rl as unknown as { _writeToOutput?: (s: string) => void }
    const write = internal._writeToOutput?.bind(rl)
    if (write)
      internal._writeToOutput = (s: string) => {
        if (!muted || /\r?\n/.test(s)) write(s)
      }
    rl.on('line', (line) => (waiting.length > 0 ? waiting.shift()!(line) : queued.push(line)))
    rl.on('close', () => {
      closed = true
      for (const w of waiting.splice(0)) w(undefined)
    })
    return rl
  }
  const nextLine = () => {
    open()
    if (queued.length > 0) return Promise.resolve<string | undefined>(queued.shift())
    if (closed) return Promise.resolve<string | undefined>(undefined)
    return new Promise<string | undefined>((resolve) => waiting.push(resolve))
  }
  return {
    interactive,
    async ask(field, question, o = {}) {
      open()
      if (interactive) output.write(question)
      muted = interactive && o.secret === true
      const line = await nextLine()
      muted = false
      const answer = line?.trim() ?? ''
      if (answer !== '') return answer
      if (o.fallback !== undefined) return o.fallback
      throw new WaddleError('WB_INPUT_INVALID', {
        field,
        reason: line === undefined ? 'no answer (input closed)' : 'empty answer',
      })
    },
    close() {
      rl?.close()
    },
  }
}
