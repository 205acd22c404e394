/**
 * alias (port 8010): custom commands. `!alias add hi Hello {user}!` makes `!hi`; the router hands this module
 * every `!word` no other command claims (its catch-all `*` command) and this module answers the community's
 * custom command, or nothing. An alias whose text is a command (`!so {touser}`) goes back to the router,
 * which runs it as the caller (docs/alias.md).
 */
import { defineModule } from '../../runtime/module.js'
import { manifest } from './manifest.js'
import { manageAliases } from './manage.js'
import { aliasMigrations } from './migrations.js'
import { aliasRoutes } from './routes.js'
import { AliasBook, CHANGED_CHANNEL } from './store.js'
import { type AliasState, useAlias } from './use.js'

export type { AliasState } from './use.js'

/** The module with an injected clock (tests); the default export uses Date.now. */
export function createAliasModule(options: { now?: () => number } = {}) {
  let unsubscribe: (() => Promise<void>) | undefined
  return defineModule<Record<string, unknown>, AliasState>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    migrations: aliasMigrations,
    commands: [
      {
        name: 'alias',
        aliases: ['command'],
        summary: 'Custom commands: add, edit, remove, list, show, set, enable, disable',
        usage: 'add|edit|remove|list|show|set|enable|disable …',
        run: manageAliases,
      },
      { name: '*', summary: 'Answers the custom commands of the community', run: useAlias },
    ],
    async setup(ctx) {
      const book = new AliasBook(ctx.storage, options.now)
      unsubscribe = await ctx.cache.subscribe(CHANGED_CHANNEL, (message) => {
        const id = (message as { community_id?: unknown } | null)?.community_id
        if (typeof id === 'string') book.forget(id)
      })
      return { book, now: options.now ?? Date.now }
    },
    async teardown() {
      await unsubscribe?.()
    },
    routes: (app, ctx) => aliasRoutes(app, ctx),
  })
}

export default createAliasModule()
