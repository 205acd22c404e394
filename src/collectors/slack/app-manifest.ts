/**
 * The Slack app manifest for this collector: the bot scopes behind every Web API method it calls
 * (chat.postMessage/postEphemeral/update/delete, conversations.open/kick, users.info), the events
 * normalize.ts turns into router events, the `/waddlebot` slash command and interactivity. Request URLs are
 * the collector's routes under the public URL; in Socket Mode there are none. `waddlebot auth slack`
 * prints it to paste at api.slack.com/apps → Create New App → From a manifest.
 */

export const SLACK_BOT_SCOPES = [
  'app_mentions:read',
  'channels:history',
  'groups:history',
  'im:history',
  'mpim:history',
  'channels:read',
  'groups:read',
  'chat:write',
  'commands',
  'im:write',
  'reactions:read',
  'users:read',
  'channels:manage',
  'groups:write',
] as const

export const SLACK_BOT_EVENTS = [
  'message.channels',
  'message.groups',
  'message.im',
  'message.mpim',
  'app_mention',
  'reaction_added',
  'reaction_removed',
  'member_joined_channel',
  'member_left_channel',
] as const

export interface ManifestOptions {
  readonly name?: string | undefined
  /** The public base URL of the Slack collector (port 8004 behind it); absent = Socket Mode. */
  readonly publicUrl?: string | undefined
}

/** The manifest as an object (print it as YAML or JSON; Slack accepts both). */
export function slackManifest(o: ManifestOptions): Record<string, unknown> {
  const name = o.name ?? 'waddlebot'
  const base = o.publicUrl?.replace(/\/+$/, '')
  const at = (path: string) => (base ? { url: `${base}${path}` } : {})
  const request = (path: string) => (base ? { request_url: `${base}${path}` } : {})
  return {
    display_information: { name, description: 'A waddlebot chat bot' },
    features: {
      app_home: { messages_tab_enabled: true, messages_tab_read_only_enabled: false },
      bot_user: { display_name: name, always_online: true },
      slash_commands: [
        {
          command: '/waddlebot',
          ...at('/slack/commands'),
          description: 'Run a bot command: /waddlebot ping',
          usage_hint: 'ping',
          should_escape: false,
        },
      ],
    },
    oauth_config: { scopes: { bot: [...SLACK_BOT_SCOPES] } },
    settings: {
      event_subscriptions: { ...request('/slack/events'), bot_events: [...SLACK_BOT_EVENTS] },
      interactivity: { is_enabled: true, ...request('/slack/interactions') },
      org_deploy_enabled: false,
      socket_mode_enabled: base === undefined,
      token_rotation_enabled: false,
    },
  }
}
