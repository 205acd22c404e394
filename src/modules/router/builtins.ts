/** The router's built-in commands: !ping, !help [command], !commands, !reload <module> (admins). */
import { type CommandDefinition, permissionRank, userLevel } from '../../runtime/module.js'
import { sql } from '../../runtime/storage/sql.js'
import { MARKET_MODULE_PREFIX } from './command-index.js'

interface Listed {
  name: string
  prefix: string
  description: string | null
  usage: string | null
  permission_level: string
  aliases: string
}

async function visibleCommands(ctx: Parameters<CommandDefinition['run']>[0]): Promise<Listed[]> {
  const rows = await ctx.storage.query<Listed>(sql`select name, prefix, description, usage, permission_level, aliases
    from commands c where is_active = 1 and trigger_type <> 'event' and name <> '*'
      and (module not like ${`${MARKET_MODULE_PREFIX}%`} or exists (select 1 from module_installations i
        where i.module = c.module and i.community_id = ${ctx.request.entity.community_id} and i.is_enabled = 1))
    order by name`)
  const level = userLevel(ctx.request.user.roles)
  return rows.filter((r) => permissionRank(r.permission_level) <= level)
}

const listCommands: CommandDefinition['run'] = async (ctx) => {
  const rows = await visibleCommands(ctx)
  return `Commands: ${rows.map((r) => `${r.prefix}${r.name}`).join(', ')}`
}

export const builtinCommands: CommandDefinition[] = [
  { name: 'ping', summary: 'Checks that the bot is alive', run: () => 'pong' },
  {
    name: 'help',
    summary: 'Lists the commands you may use, or explains one',
    usage: '[command]',
    run: async (ctx) => {
      const wanted = ctx.args[0]?.replace(/^[!#]/, '').toLowerCase()
      if (!wanted) return listCommands(ctx)
      // Never echo what a user typed beyond a plausible command name (`!help <9,000 characters>`).
      if (!/^[\p{L}\p{N}_-]{1,32}$/u.test(wanted)) return 'No such command here. Try !commands.'
      const rows = await visibleCommands(ctx)
      const row = rows.find((r) => r.name === wanted || (JSON.parse(r.aliases || '[]') as string[]).includes(wanted))
      if (!row) return `No command ${wanted} here. Try !commands.`
      return `${row.prefix}${row.name}${row.usage ? ` ${row.usage}` : ''}: ${row.description ?? ''}`.trim()
    },
  },
  { name: 'commands', summary: 'Lists the commands you may use', run: listCommands },
  {
    name: 'reload',
    summary: 'Reloads a project module from its files, without a restart',
    usage: '<module>',
    permission: 'admin',
    run: reloadModule,
  },
]

/** `!reload <module>`: the router's own reload route (`waddlebot module reload` calls the same). */
async function reloadModule(ctx: Parameters<CommandDefinition['run']>[0]): Promise<string> {
  const name = ctx.args[0]?.toLowerCase()
  if (!name || !/^[a-z][a-z0-9-]{0,63}$/.test(name)) return 'Usage: !reload <module>'
  let res: Response
  try {
    res = await ctx.modules.request('router', `/api/v1/modules/${name}/reload`, { method: 'POST', timeoutMs: 30_000 })
  } catch {
    return `Could not reach the router to reload ${name}.`
  }
  const body = (await res.json().catch(() => ({}))) as { commands?: string[]; error?: { message?: string } }
  if (res.ok) return `Reloaded ${name} (${body.commands?.join(' ') || 'no commands'}).`
  return `${body.error?.message ?? `Reloading ${name} failed (HTTP ${res.status})`}.`
}
