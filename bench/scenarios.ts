/** The benchmark scenarios of issue 7: each returns table rows with its figure, baseline and target. */
export interface Row {
  readonly key: string
  readonly label: string
  readonly value: number
  readonly unit: string
  readonly baseline?: number
  readonly baselineKey?: string
  readonly baselineLabel?: string
  readonly target: string
  readonly met: boolean
}

export interface ScenarioContext {
  readonly quick: boolean
  /** DATABASE_URL/REDIS_URL of a fresh Postgres database and the test Redis. */
  readonly pgEnv: Record<string, string>
  /** Figures of the scenarios already run (a target relative to another figure of the same run reads it). */
  readonly results: Readonly<Record<string, number | string>>
}

export interface Scenario {
  readonly name: string
  readonly keys: readonly string[]
  readonly needsPostgres?: boolean
  run(ctx: ScenarioContext): Promise<Row[]>
}

const r3 = (n: number) => Math.round(n * 1000) / 1000

export const SCENARIOS: Scenario[] = [
  {
    name: 'router in process (SQLite)',
    keys: ['router_inprocess_eps', 'router_inprocess_p99_ms'],
    async run({ quick }) {
      const { benchRouterInProcess } = await import('./router-inprocess.bench.js')
      const r = await benchRouterInProcess({ quick })
      return [
        {
          key: 'router_inprocess_eps',
          label: 'full pipeline in process, events/s',
          value: r.eps,
          unit: 'events/s',
          baseline: r.baseline_eps,
          baselineKey: 'router_inprocess_baseline_eps',
          baselineLabel: 'validate + Map lookup + reply',
          target: '≥ 0.25 × baseline',
          met: r.eps >= 0.25 * r.baseline_eps,
        },
        {
          key: 'router_inprocess_p99_ms',
          label: `full pipeline in process, p99 one event at a time (with 16 in flight: ${r.p99_ms_at_16} ms)`,
          value: r.p99_ms,
          unit: 'ms',
          baseline: r.baseline_p99_ms,
          baselineKey: 'router_inprocess_baseline_p99_ms',
          baselineLabel: 'validate + Map lookup + reply',
          target: '≤ 1',
          met: r.p99_ms <= 1,
        },
      ]
    },
  },
  {
    name: 'HTTP intake',
    keys: ['http_vs_fastify_ratio', 'http_p99_ms_at_5k'],
    async run({ quick }) {
      const { benchHttpInChild } = await import('./http.bench.js')
      const r = await benchHttpInChild({ quick })
      const worst = Math.max(...r.http_p99_ms_at_5k_runs)
      return [
        {
          key: 'http_vs_fastify_ratio',
          label: `POST /api/v1/events (one event per request) ${r.router_rps} req/s ÷ bare fastify echo; CPU ${r.router_cpu_us} µs per request vs ${r.fastify_cpu_us} µs`,
          value: r.http_vs_fastify_ratio,
          unit: '×',
          baseline: r.fastify_rps,
          baselineKey: 'http_fastify_baseline_rps',
          baselineLabel: 'bare fastify POST echo, req/s',
          target: '≥ 0.6',
          met: r.http_vs_fastify_ratio >= 0.6,
        },
        {
          key: 'http_p99_ms_at_5k',
          label: `p99 at a fixed 5,000 events/s, worst of ${r.http_p99_ms_at_5k_runs.length} consecutive runs (${r.http_p99_ms_at_5k_runs.join(', ')} ms; achieved ≥ ${r.http_achieved_rps_at_5k}/s)`,
          value: worst,
          unit: 'ms',
          baseline: r.bare_p99_ms_at_5k,
          baselineKey: 'http_bare_p99_ms_at_5k',
          baselineLabel: 'bare fastify at 5,000/s, p99 ms',
          target: '≤ 5 in each run',
          met: worst <= 5 && r.http_achieved_rps_at_5k >= 4500,
        },
      ]
    },
  },
  {
    name: 'Twitch collector → router',
    keys: ['collector_to_router_eps', 'chat_e2e_p99_ms'],
    async run({ quick, results }) {
      const { benchCollectorInChild } = await import('./collector.bench.js')
      let inProcess = Number(results.router_inprocess_eps)
      if (!Number.isFinite(inProcess)) {
        const { benchRouterInProcess } = await import('./router-inprocess.bench.js')
        inProcess = (await benchRouterInProcess({ quick: true })).eps
      }
      const r = await benchCollectorInChild({ quick })
      return [
        {
          key: 'collector_to_router_eps',
          label: `fake Twitch IRC flood (${r.events.toLocaleString('en')} lines, ${r.channels} channels) → collector → router → reply, events/s (${r.events_per_request} events per request; ${r.cpu_us_per_event} µs CPU per event for fake IRC + collector + router in one process, its own)`,
          value: r.collector_to_router_eps,
          unit: 'events/s',
          baseline: inProcess,
          baselineKey: 'collector_router_inprocess_eps',
          baselineLabel: '`router_inprocess_eps` of this run',
          target: '≥ 0.5 × baseline',
          met: r.collector_to_router_eps >= 0.5 * inProcess,
        },
        {
          key: 'chat_e2e_p99_ms',
          label: `chat line in on the fake IRC → reply out, at ${r.chat_e2e_rate.toLocaleString('en')} lines/s (${r.replies_timed} replies timed)`,
          value: r.chat_e2e_p99_ms,
          unit: 'ms',
          baseline: r.chat_e2e_p50_ms,
          baselineKey: 'chat_e2e_p50_ms',
          baselineLabel: 'p50, ms',
          target: '≤ 10',
          met: r.chat_e2e_p99_ms <= 10,
        },
      ]
    },
  },
  {
    name: 'Twitch collector memory',
    keys: ['twitch_rss_per_1k_channels_mb'],
    async run({ quick }) {
      const { benchTwitchRss } = await import('./collector.bench.js')
      const r = await benchTwitchRss({ quick })
      return [
        {
          key: 'twitch_rss_per_1k_channels_mb',
          label: `RSS growth of a router + collector process per 1,000 claimed and joined channels, at rest (measured over ${r.channels}: ${r.base_mb} → ${r.grown_mb} MB, live heap +${r.heap_used_growth_mb} MB${r.at_rest ? '' : '; not at rest within the time allowed, an upper bound'})`,
          value: r.mb_per_1k,
          unit: 'MB',
          baseline: r.base_mb,
          baselineKey: 'twitch_rss_base_mb',
          baselineLabel: 'RSS with no channel, MB',
          target: '≤ 30',
          met: r.mb_per_1k <= 30,
        },
      ]
    },
  },
  {
    name: 'adversarial regexes (linear-time engine)',
    keys: ['regex_adversarial_max_ms'],
    async run({ quick }) {
      const { benchRegexAdversarial } = await import('./regex-adversarial.js')
      const r = benchRegexAdversarial({ quick })
      return [
        {
          key: 'regex_adversarial_max_ms',
          label: `slowest of ${r.accepted} accepted adversarial regexes (of ${r.regexes}) on a 2,000-char message, CPU ms (slowest single run by the wall clock: ${r.max_wall_ms_single_run}; ordinary patterns accepted ${r.ordinary_accepted}/${r.ordinary_total})`,
          value: r.max_ms_per_message,
          unit: 'ms',
          baseline: r.p99_ms_per_message,
          baselineKey: 'regex_adversarial_p99_ms',
          baselineLabel: 'p99 of the same runs',
          target: '≤ 10',
          met: r.max_ms_per_message <= 10 && r.ordinary_accepted === r.ordinary_total,
        },
      ]
    },
  },
  {
    name: 'string matcher growth',
    keys: ['matcher_growth_100_to_10k'],
    async run({ quick }) {
      const { benchMatcher } = await import('./matcher.bench.js')
      const r = await benchMatcher({ quick })
      return [
        {
          key: 'matcher_growth_100_to_10k',
          label: `time per message, 10,000 rules (${r3(r.per_message_ns_10k)} ns) ÷ 100 rules`,
          value: r3(r.matcher_growth_100_to_10k),
          unit: '×',
          baseline: r3(r.per_message_ns_100),
          baselineKey: 'matcher_ns_per_message_100',
          baselineLabel: 'ns per message with 100 rules',
          target: '< 2',
          met: r.matcher_growth_100_to_10k < 2,
        },
      ]
    },
  },
  {
    name: 'spam filters',
    keys: ['filters_ns_per_message'],
    async run({ quick }) {
      const { benchFilters } = await import('./filters.bench.js')
      const r = await benchFilters({ quick })
      return [
        {
          key: 'filters_ns_per_message',
          label: `every spam filter on, ns per message (matcher + filters = ${r.filters_with_matcher_ratio} × matcher alone)`,
          value: r.filters_ns_per_message,
          unit: 'ns',
          baseline: r.matcher_ns_per_message,
          baselineKey: 'filters_matcher_ns_per_message',
          baselineLabel: 'string matcher alone (100 rules), ns per message',
          target: 'matcher + filters ≤ 2 × matcher',
          met: r.filters_with_matcher_ratio <= 2,
        },
      ]
    },
  },
  {
    name: 'custom command (alias) in process',
    keys: ['alias_expansion_overhead_us'],
    async run({ quick }) {
      const { benchAlias } = await import('./alias.bench.js')
      const r = await benchAlias({ quick })
      return [
        {
          key: 'alias_expansion_overhead_us',
          label:
            `alias expansion, µs added per event (\`!hi\` ${r.alias_us} µs vs \`!ping\` ${r.plain_us} µs = ${r.alias_ratio} ×; ` +
            `re-entry \`!p\` → \`!ping\` adds ${r.reentry_overhead_us} µs; CPU time: ${r.cpu_alias_overhead_us} µs added to ` +
            `${r.cpu_plain_us} µs; load average ${r.load})`,
          value: r.alias_overhead_us,
          unit: 'µs',
          baseline: r.plain_us,
          baselineKey: 'alias_plain_command_us',
          baselineLabel: 'a plain command (`!ping`) through the same pipeline, µs per event',
          target: '≤ 20',
          met: r.alias_overhead_us <= 20,
        },
      ]
    },
  },
  {
    name: 'Postgres + Redis vs SQLite',
    keys: ['pg_redis_vs_sqlite_ratio'],
    needsPostgres: true,
    async run({ quick, pgEnv }) {
      const { benchRouterInProcess } = await import('./router-inprocess.bench.js')
      const sqlite = await benchRouterInProcess({ quick })
      const pg = await benchRouterInProcess({ quick, env: pgEnv })
      const ratio = r3(pg.eps / sqlite.eps)
      return [
        {
          key: 'pg_redis_vs_sqlite_ratio',
          label: `in-process pipeline on Postgres + Redis (${pg.eps}/s) ÷ on SQLite`,
          value: ratio,
          unit: '×',
          baseline: sqlite.eps,
          baselineKey: 'pg_redis_sqlite_baseline_eps',
          baselineLabel: 'same pipeline on SQLite, events/s',
          target: '≥ 0.6',
          met: ratio >= 0.6,
        },
      ]
    },
  },
  {
    name: 'hub first page in Chromium',
    keys: ['hub_interactive_ms', 'hub_js_gzip_kb'],
    async run({ quick }) {
      const { benchHub } = await import('./hub.bench.js')
      const r = await benchHub({ quick })
      return [
        {
          key: 'hub_interactive_ms',
          label: `hub home page interactive in headless Chromium, cold cache, median of ${r.runs} (slowest ${r.interactive_max_ms} ms)`,
          value: r.interactive_ms,
          unit: 'ms',
          baseline: r.baseline_ms,
          baselineKey: 'hub_interactive_baseline_ms',
          baselineLabel: 'static HTML page without script, to load',
          target: '≤ 1,500',
          met: r.interactive_ms <= 1500,
        },
        {
          key: 'hub_js_gzip_kb',
          label: 'hub UI JavaScript, gzipped (hub/dist/assets/*.js)',
          value: r.js_gzip_kb,
          unit: 'KB',
          target: '≤ 250',
          met: r.js_gzip_kb <= 250,
        },
      ]
    },
  },
  {
    name: 'overlay fan-out',
    keys: ['overlay_fanout_p99_ms'],
    async run({ quick }) {
      const mod = (await import('./overlay-fanout.bench.js' as string)) as {
        benchOverlayFanout(o: {
          quick: boolean
        }): Promise<{ overlay_fanout_p50_ms: number; overlay_fanout_p99_ms: number; clients: number }>
      }
      const r = await mod.benchOverlayFanout({ quick })
      return [
        {
          key: 'overlay_fanout_p99_ms',
          label: `one display → ${r.clients} WebSocket overlays, delivery p99`,
          value: r.overlay_fanout_p99_ms,
          unit: 'ms',
          baseline: r.overlay_fanout_p50_ms,
          baselineKey: 'overlay_fanout_p50_ms',
          baselineLabel: 'delivery p50, ms',
          target: '≤ 50',
          met: r.overlay_fanout_p99_ms <= 50,
        },
      ]
    },
  },
  {
    name: 'timeout overshoot',
    keys: ['timeout_overshoot_p99_ms'],
    async run({ quick }) {
      const { benchTimeout } = await import('./timeout.bench.js')
      const r = await benchTimeout({ quick })
      return [
        {
          key: 'timeout_overshoot_p99_ms',
          label: `a module sleeping past its ${r.timeout_ms} ms timeout: outcome "timeout" later than the timeout by (p99; over HTTP ${r.timeout_overshoot_http_p99_ms} ms)`,
          value: r.timeout_overshoot_p99_ms,
          unit: 'ms',
          baseline: r.baseline_answer_p99_ms,
          baselineKey: 'timeout_baseline_answer_p99_ms',
          baselineLabel: 'same module answering at once, p99 ms',
          target: '≤ 100',
          met: r.timeout_overshoot_p99_ms <= 100 && r.timeout_overshoot_http_p99_ms <= 100,
        },
      ]
    },
  },
  {
    name: 'AI answers pending',
    keys: ['ai_pending_ping_p99_ms'],
    async run({ quick }) {
      const { benchAi } = await import('./ai.bench.js')
      const r = await benchAi({ quick })
      return [
        {
          key: 'ai_pending_ping_p99_ms',
          label: `\`!ping\` p99 through the router with ${r.pending_ai_calls} \`!ai\` answers pending (provider sleeping ${r.provider_sleep_ms / 1000} s; \`!ai\` itself returns in ${r.ai_return_p99_ms} ms p99)`,
          value: r.ping_p99_ms,
          unit: 'ms',
          baseline: r.ping_p99_baseline_ms,
          baselineKey: 'ai_pending_ping_baseline_p99_ms',
          baselineLabel: '`!ping` p99, same router, no AI call pending',
          target: '≤ 1.5 × baseline',
          met: r.ping_p99_ratio <= 1.5,
        },
      ]
    },
  },
  {
    name: 'start-up',
    keys: ['start_ms', 'start_rss_mb'],
    async run({ quick }) {
      const { benchStart } = await import('./start.bench.js')
      const r = await benchStart({ quick })
      return [
        {
          key: 'start_ms',
          label: `waddlebot start, ${r.modules} modules, to all healthy`,
          value: r.start_ms,
          unit: 'ms',
          baseline: r.baseline_start_ms,
          baselineKey: 'start_baseline_ms',
          baselineLabel: 'bare fastify process to healthy, ms',
          target: '≤ 1,000',
          met: r.start_ms <= 1000,
        },
        {
          key: 'start_rss_mb',
          label: 'RSS once healthy',
          value: r.start_rss_mb,
          unit: 'MB',
          baseline: r.baseline_rss_mb,
          baselineKey: 'start_baseline_rss_mb',
          baselineLabel: 'bare fastify process RSS, MB',
          target: '≤ 150',
          met: r.start_rss_mb <= 150,
        },
      ]
    },
  },
  {
    name: 'up children',
    keys: ['up_child_rss_mb'],
    async run({ quick }) {
      const { benchUp } = await import('./up.bench.js')
      const r = await benchUp({ quick })
      return [
        {
          key: 'up_child_rss_mb',
          label: `\`waddlebot up\`, median RSS of its ${r.children} children once healthy (largest: ${r.max_module}, ${r.max_mb} MB)`,
          value: r.median_mb,
          unit: 'MB',
          baseline: r.bare_mb,
          baselineKey: 'up_child_baseline_rss_mb',
          baselineLabel: 'bare fastify process RSS, MB',
          target: '≤ 70',
          met: r.median_mb <= 70,
        },
      ]
    },
  },
  {
    name: 'fuzz',
    keys: ['fuzz_failures'],
    async run({ quick }) {
      const { benchFuzz } = await import('./fuzz.bench.js')
      const r = await benchFuzz({ quick })
      if (r.first_failure) process.stderr.write(`bench: first fuzz failure (seed ${r.seed}): ${r.first_failure}\n`)
      return [
        {
          key: 'fuzz_failures',
          label: `fuzz: ${r.cases.toLocaleString('en')} cases over ${r.routes} body routes and the chat parser (seed ${r.seed}), failing (5xx or throw)`,
          value: r.failures,
          unit: 'cases',
          baseline: r.cases_per_s,
          baselineKey: 'fuzz_cases_per_s',
          baselineLabel: 'cases per second',
          target: '0',
          met: r.failures === 0,
        },
      ]
    },
  },
  {
    name: 'vs Hubot',
    keys: ['vs_hubot_ratio'],
    async run({ quick }) {
      const { benchVsHubot } = await import('./hubot.bench.js')
      const r = await benchVsHubot({ quick })
      return [
        {
          key: 'vs_hubot_ratio',
          label: `waddlebot ${r.ours_mps} msg/s ÷ Hubot (1,000 hear listeners + !ping)`,
          value: r.vs_hubot_ratio,
          unit: '×',
          baseline: r.hubot_mps,
          baselineKey: 'hubot_baseline_mps',
          baselineLabel: 'Hubot, msg/s',
          target: '≥ 20',
          met: r.vs_hubot_ratio >= 20,
        },
      ]
    },
  },
  {
    name: 'reputation under chat load (SQLite)',
    keys: ['reputation_max_points_per_minute', 'reputation_writes_per_event', 'reputation_cost_ratio'],
    async run({ quick }) {
      const { benchReputation } = await import('./reputation.bench.js')
      const r = await benchReputation({ quick })
      const allowed = r.cap_per_minute * r.minutes
      return [
        {
          key: 'reputation_max_points_per_minute',
          label: `most chat points one person earned, ${r.events.toLocaleString('en')} events from ${r.people} people at ${r.target_eps}/s (reached ${r.eps}/s)`,
          value: r.max_points_per_person,
          unit: 'points',
          baseline: allowed,
          baselineKey: 'reputation_cap_allowed',
          baselineLabel: `cap ${r.cap_per_minute}/min × ${r.minutes} clock minute(s)`,
          target: '≤ cap',
          met: r.within_caps,
        },
        {
          key: 'reputation_writes_per_event',
          label: `reputation database statements per chat event (${r.transactions_per_event} transactions/event; ${r.cache_calls_per_event} cache calls/event)`,
          value: r.statements_per_event,
          unit: 'statements',
          target: '≤ 0.01',
          met: r.statements_per_event <= 0.01,
        },
        {
          key: 'reputation_cost_ratio',
          label: `pipeline CPU per chat event with reputation (${r.cpu_us_per_event} µs) ÷ without it; an empty chat handler costs ${r.noop_cpu_us_per_event} µs`,
          value: r.cost_ratio,
          unit: '×',
          baseline: r.baseline_cpu_us_per_event,
          baselineKey: 'reputation_baseline_cpu_us',
          baselineLabel: 'router without reputation, µs/event',
          target: '≤ 1.25 × the empty handler',
          met: r.cpu_us_per_event <= 1.25 * r.noop_cpu_us_per_event,
        },
      ]
    },
  },
]

export function renderTable(
  date: string,
  machine: Record<string, unknown>,
  quick: boolean,
  rows: readonly Row[],
): string {
  const head = [
    `Run: ${date}${quick ? ' (`--quick`)' : ''} · ${machine.cpus} · ${machine.memory_gb} GiB · Node ${machine.node}`,
    '',
    '| key | figure | value | baseline (same run) | ratio to baseline | target | met |',
    '|---|---|---|---|---|---|---|',
  ]
  const lines = rows.map((r) => {
    // A figure that is itself a ratio (unit ×) has no further ratio to its baseline.
    const ratio = r.baseline && r.unit !== '×' ? r3(r.value / r.baseline) : undefined
    const base = r.baseline !== undefined ? `${r.baseline} (${r.baselineLabel})` : '—'
    return `| \`${r.key}\` | ${r.label} | ${r.value} ${r.unit} | ${base} | ${ratio ?? '—'} | ${r.target} | ${r.met ? 'yes' : '**no**'} |`
  })
  return [...head, ...lines].join('\n')
}
