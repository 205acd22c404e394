/** The router's built-in commands: !ping, !help [command], !commands. */
import { type CommandDefinition, permissionRank, userLevel } from '../../runtime/module.js'
import { sql } from '../../runtime/storage/sql.js'

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
    from commands where is_active = 1 and trigger_type <> 'event' and name <> '*' order by name`)
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
]
