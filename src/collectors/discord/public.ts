/** The Discord collector's public face for the CLI (`waddlebot auth discord`): the REST base, the invite URL. */
export { DEFAULT_DISCORD_API } from './discord-api.js'
export { BOT_INTENTS, BOT_PERMISSIONS, inviteUrl, missingIntents } from './invite.js'
