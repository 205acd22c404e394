import { constants, copyFileSync, existsSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { createPrompter } from '../cli/prompt.js'
import { renderTemplate, TEMPLATES_DIR } from '../cli/render-template.js'
import { describeSelfDependency, selfDependency } from '../cli/self-dependency.js'
import { CONFIG_FILE_NAME, type Settings } from '../runtime/config.js'
import { openDatabase } from '../runtime/database.js'
import { envFilePath, readEnvFile } from '../runtime/env-file.js'
import { WaddleError } from '../runtime/errors.js'

const STORAGES = ['sqlite', 'postgres'] as const
const PLATFORMS = ['twitch', 'discord', 'slack', 'local'] as const
type Storage = (typeof STORAGES)[number]
type Platform = (typeof PLATFORMS)[number]

const STORAGE_NOTES: Record<Storage, string> = {
  sqlite:
    'SQLite at data/waddlebot.db.\n# For Postgres, set DATABASE_URL=postgres://… in .env (a URL may hold a password, so never here).',
  postgres:
    'Postgres. Set DATABASE_URL in .env (see .env.example; a URL may hold a password, so never here).\n# Without DATABASE_URL the bot falls back to SQLite at data/waddlebot.db.',
}

export default class Init extends BaseCommand<typeof Init> {
  static override summary = 'Scaffold a bot project: waddlebot.yaml, .env.example, modules/, data/'
  static override description =
    'Asks for storage and platforms on a terminal; --yes (or a non-interactive shell) takes the defaults: SQLite and the local console platform.'
  static override examples = [
    '<%= config.bin %> init mybot',
    '<%= config.bin %> init mybot --yes --storage postgres --platforms twitch,discord',
  ]
  static override args = { dir: Args.string({ description: 'folder to create the project in', default: '.' }) }
  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'take the defaults, ask nothing' }),
    storage: Flags.string({ description: 'sqlite | postgres (default sqlite)' }),
    platforms: Flags.string({ description: 'comma-separated: twitch,discord,slack,local (default local)' }),
    force: Flags.boolean({ description: 'overwrite existing files' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init)
    const dir = resolve(args.dir)
    if (existsSync(dir) && !statSync(dir).isDirectory())
      throw new WaddleError('WB_INPUT_INVALID', { field: 'dir', reason: `${args.dir} is a file, not a folder` })
    if (!flags.force && existsSync(join(dir, CONFIG_FILE_NAME))) throw new WaddleError('WB_PROJECT_EXISTS', { dir })
    const storage = flags.storage === undefined ? undefined : parseStorage(flags.storage)
    const platforms = flags.platforms === undefined ? undefined : parsePlatforms(flags.platforms)
    const interactive = !flags.yes && process.stdin.isTTY && process.stdout.isTTY
    const choice = interactive
      ? await ask(storage, platforms)
      : { storage: storage ?? 'sqlite', platforms: platforms ?? ['local' as const] }
    if (choice.storage === 'postgres') await checkPostgres(dir)
    const files = writeProject(dir, templateVars(dir, choice), flags.force)
    this.log(`Created a waddlebot project in ${dir} (${choice.storage}; ${choice.platforms.join(', ')}):`)
    for (const f of files) this.log(`  ${f}`)
    const cd = relative(process.cwd(), dir)
    const needsEnv = choice.storage === 'postgres' || choice.platforms.some((p) => p !== 'local')
    const loggedIn = interactive ? await offerAuth(this, dir, choice.platforms) : []
    this.log('\nNext steps:')
    if (cd !== '') this.log(`  cd ${/\s/.test(cd) ? JSON.stringify(cd) : cd}`)
    if (needsEnv && !existsSync(join(dir, '.env')))
      this.log(
        `  cp .env.example .env   # and fill in the tokens${choice.storage === 'postgres' ? ' and DATABASE_URL (or keep it set in the environment)' : ''}`,
      )
    for (const p of choice.platforms)
      if (p !== 'local' && !loggedIn.includes(p))
        this.log(`  waddlebot auth ${p}${' '.repeat(9 - p.length)}# log the bot in to ${p}: the tokens go to .env`)
    this.log('  waddlebot start        # the bot, every enabled module in one process')
    this.log('  waddlebot chat         # in a second terminal: talk to it')
  }
}

/**
 * On a terminal: offers `waddlebot auth <platform>` for each chosen platform (after copying .env.example to
 * .env, so the tokens land in the full file). A failed or declined login does not fail init; returns the
 * platforms logged in.
 */
async function offerAuth(cmd: Init, dir: string, platforms: readonly Platform[]): Promise<Platform[]> {
  const done: Platform[] = []
  const env = join(dir, '.env')
  if (!existsSync(env) && existsSync(join(dir, '.env.example')))
    copyFileSync(join(dir, '.env.example'), env, constants.COPYFILE_EXCL)
  for (const p of platforms.filter((x) => x !== 'local')) {
    const prompt = createPrompter()
    const answer = await prompt
      .ask('yes', `\nLog the bot in to ${p} now (waddlebot auth ${p})? [Y/n] `, { fallback: 'y' })
      .finally(() => prompt.close())
    if (!/^y(es)?$/i.test(answer)) continue
    try {
      await cmd.config.runCommand(`auth:${p}`, ['--config', join(dir, CONFIG_FILE_NAME)])
      done.push(p)
    } catch {
      process.exitCode = 0 // the auth command printed its one-line error; init itself succeeded
    }
  }
  return done
}

/** The project's files; a folder that cannot be written is a one-line error naming the path. */
function writeProject(dir: string, vars: Record<string, string>, force: boolean): string[] {
  try {
    return renderTemplate(join(TEMPLATES_DIR, 'project'), dir, vars, { force })
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    if (!e.code || !['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOSPC'].includes(e.code)) throw error
    throw new WaddleError('WB_INPUT_INVALID', { field: 'dir', reason: `cannot write ${e.path ?? dir} (${e.code})` })
  }
}

/**
 * `--storage postgres` needs a reachable DATABASE_URL before a single file is written: from the environment,
 * else from the target folder's .env (which the bot reads at start).
 */
async function checkPostgres(dir: string): Promise<void> {
  const url = (process.env.DATABASE_URL?.trim() || readEnvFile(envFilePath(dir)).DATABASE_URL)?.trim()
  if (!url?.startsWith('postgres'))
    throw new WaddleError('WB_DATABASE_URL_REQUIRED', {
      got: url ? 'DATABASE_URL is not a postgres:// URL' : 'DATABASE_URL is not set',
    })
  const storage = await openDatabase({ database: { url }, projectDir: dir } as Settings)
  await storage.close()
}

function parseStorage(raw: string): Storage {
  const s = raw.trim().toLowerCase()
  if ((STORAGES as readonly string[]).includes(s)) return s as Storage
  throw new WaddleError('WB_INPUT_INVALID', {
    field: 'storage',
    reason: `${JSON.stringify(raw)} is not one of ${STORAGES.join(', ')}`,
  })
}

function parsePlatforms(raw: string): Platform[] {
  const names = raw
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean)
  const bad = names.filter((p) => !(PLATFORMS as readonly string[]).includes(p))
  if (names.length === 0 || bad.length > 0) {
    const what = bad.length > 0 ? `unknown ${bad.join(', ')}` : 'none given'
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'platforms',
      reason: `${what}; choose from ${PLATFORMS.join(', ')}`,
    })
  }
  return [...new Set(names as Platform[])]
}

/** Asks what the flags left open, re-asking until the answer is valid. Empty answer = default. */
async function ask(
  storage: Storage | undefined,
  platforms: Platform[] | undefined,
): Promise<{ storage: Storage; platforms: Platform[] }> {
  if (storage && platforms) return { storage, platforms }
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  // Reading lines through the iterator keeps answers typed (or pasted) ahead of their question.
  const lines = rl[Symbol.asyncIterator]()
  const until = async <T>(field: string, question: string, fallback: string, parse: (s: string) => T): Promise<T> => {
    for (;;) {
      rl.setPrompt(question)
      rl.prompt()
      const next = await lines.next()
      if (next.done) throw new WaddleError('WB_INPUT_INVALID', { field, reason: 'no answer (input closed)' })
      try {
        return parse(String(next.value).trim() || fallback)
      } catch (error) {
        process.stdout.write(`  ${(error as Error).message}\n`)
      }
    }
  }
  try {
    return {
      storage:
        storage ?? (await until('storage', `Storage (${STORAGES.join('/')}) [sqlite]: `, 'sqlite', parseStorage)),
      platforms:
        platforms ??
        (await until(
          'platforms',
          `Platforms (comma-separated: ${PLATFORMS.join(',')}) [local]: `,
          'local',
          parsePlatforms,
        )),
    }
  } finally {
    rl.close()
  }
}

function templateVars(dir: string, choice: { storage: Storage; platforms: Platform[] }): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(TEMPLATES_DIR, '..', 'package.json'), 'utf8')) as {
    version: string
    dependencies: Record<string, string>
  }
  const self = selfDependency(dir)
  const vars: Record<string, string> = {
    name: packageName(basename(dir)),
    waddlebot_dependency: self.spec,
    waddlebot_source: describeSelfDependency(self),
    tsx_version: (pkg.dependencies.tsx ?? '4').replace(/^[\^~]/, ''),
    storage: choice.storage === 'postgres' ? 'Postgres (DATABASE_URL)' : 'SQLite (data/waddlebot.db)',
    storage_note: STORAGE_NOTES[choice.storage],
    unless_postgres: choice.storage === 'postgres' ? '' : '# ',
    platforms: choice.platforms.join(', '),
  }
  for (const p of PLATFORMS) {
    const on = choice.platforms.includes(p)
    vars[p] = String(on)
    vars[`unless_${p}`] = on ? '' : '# '
  }
  return vars
}

/** An npm package name from a folder name; never `waddlebot` itself (a project cannot depend on itself). */
function packageName(folder: string): string {
  const name =
    folder
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+|[-]+$/g, '') || 'my-bot'
  return name === 'waddlebot' ? 'waddlebot-bot' : name
}
