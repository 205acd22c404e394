/**
 * A scenario in a process of its own: `file` (a bench module) run with `--child`, which prints its result as
 * one `RESULT <json>` line. `npm run bench` runs the server scenarios so, so that their figures describe a
 * fresh process, as after `waddlebot start`, not one sharing a heap with the scenarios run before it.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export async function resultInChild<T>(file: string, name: string, quick: boolean): Promise<T> {
  const child = fork(fileURLToPath(file), ['--child', ...(quick ? ['--quick'] : [])], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  let out = ''
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c
  })
  const code = await new Promise<number | null>((r) => child.once('exit', r))
  const line = out.split('\n').find((l) => l.startsWith('RESULT '))
  if (code !== 0 || !line) throw new Error(`the ${name} bench process exited (${code}) without a result`)
  return JSON.parse(line.slice('RESULT '.length)) as T
}
