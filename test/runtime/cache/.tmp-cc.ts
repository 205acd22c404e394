import { createCache } from '/work/main/src/runtime/cache/index.js'
try { await createCache({ redisUrl: 'redis://:pw@127.0.0.1:1', onError() {} }) } catch (e) { console.log(String(e), '| hint:', (e as {hint: string}).hint) }
