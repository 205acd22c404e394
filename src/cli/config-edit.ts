/**
 * Edits of waddlebot.yaml that keep the user's comments and layout (yaml's Document API): a platform's
 * `channels` and `enabled`. Channel names are not secrets; tokens never come here (they go to .env).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { parseDocument } from 'yaml'

export function setPlatformChannels(
  configFile: string,
  platform: 'twitch' | 'discord' | 'slack',
  channels: readonly string[],
): void {
  const doc = parseDocument(readFileSync(configFile, 'utf8'))
  doc.setIn([platform, 'enabled'], true)
  const list = doc.createNode([...channels])
  list.flow = true
  doc.setIn([platform, 'channels'], list)
  writeFileSync(configFile, doc.toString())
}
