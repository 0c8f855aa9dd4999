#!/usr/bin/env node
// The attacks of issue 12 (item = its numbered point) and the HTTP attacks of issue 13 (item
// '13.<point>'), in the order of the issues, each a module
// with run(ctx, opts, prepared) and optionally prepare(ctx, opts) (work done before the measured
// window: building bodies, refilling a swarm). `idle` is the reference (no attack).
// Run as a script: node attacks.mjs list [SELECTION] prints the selected names, one a line.
// SELECTION (env ATTACKS): names, name prefixes or item numbers ('13' selects every '13.<n>'),
// space/comma separated.
const env = (k, d) => Number(process.env[k] ?? d);
const MiB = 1024 * 1024;

/** name, item, module file, options. */
export const ATTACKS = [
  ['idle', 0, 'idle.mjs', { seconds: env('IDLE_SECONDS', 5) }],
  ['fragments-http-k20', 1, 'fragment-doubling.mjs', { k: 20, via: 'http' }],
  ['fragments-http-k30', 1, 'fragment-doubling.mjs', { k: 30, via: 'http' }],
  ['fragments-ws-k20', 1, 'fragment-doubling.mjs', { k: 20, via: 'ws' }],
  ['fragments-ws-k30', 1, 'fragment-doubling.mjs', { k: 30, via: 'ws' }],
  ['aliases-torrents', 2, 'alias-torrents.mjs', { aliases: 500 }],
  ['aliases-torrents-4x', 2, 'alias-torrents.mjs', { aliases: 500, clients: 4, seconds: env('LOOP_SECONDS', 10) }],
  ['cost-ceiling-1x', 2, 'cost-ceiling.mjs', { clients: 1, seconds: env('LOOP_SECONDS', 10) }],
  ['cost-ceiling-4x', 2, 'cost-ceiling.mjs', { clients: 4, seconds: env('LOOP_SECONDS', 10) }],
  ['aliases-files', 2, 'alias-files.mjs', { aliases: 100 }],
  ['aliases-search', 2, 'alias-search.mjs', { aliases: 200, searchBytes: 900_000 }],
  ['swarm-fill', 3, 'swarm-fill.mjs', { peers: env('SWARM_PEERS', 65_535), seconds: env('FILL_SECONDS', 20) }],
  ['swarm-peers-anon', 3, 'swarm-peers.mjs', { clients: 4, admin: false, peers: env('SWARM_PEERS', 65_535) }],
  ['swarm-peers-admin', 3, 'swarm-peers.mjs', { clients: 4, admin: true, peers: env('SWARM_PEERS', 65_535) }],
  ['register-20k-files', 4, 'register-many-files.mjs', { files: 20_000 }],
  ['upload-10k-files', 4, 'upload-many-files.mjs', { files: 10_000 }],
  ['register-32mib', 4, 'register-many-files.mjs', { targetBytes: 32 * MiB - 64 * 1024 }],
  ['subs-50k-one-socket', 5, 'subscriptions-one-socket.mjs', { subscriptions: 50_000 }],
  ['sockets-2000', 5, 'many-sockets.mjs', { sockets: 2000 }],
  ['ws-50x1mib', 5, 'big-ws-messages.mjs', { messages: 50, bytes: MiB }],
  ['login-race-300', 6, 'login-race.mjs', { guesses: 300 }],
  ['json-2mib', 7, 'big-json-body.mjs', { bytes: 2 * MiB }],
  ['pipeline-announces-no-read', '13.1', 'pipeline-no-read.mjs', { kind: 'announce', bytes: 38 * 1e6 }],
  ['pipeline-scrapes-no-read', '13.1', 'pipeline-no-read.mjs', { kind: 'scrape', count: 3000, seconds: 30 }],
  // not an attack: the other client's download alone, what a full-speed loopback download costs the probe
  ['webseed-download-only', '13.2', 'webseed-stalled.mjs', { clients: 0, seconds: env('WEBSEED_SECONDS', 8) }],
  ['webseed-stalled-64', '13.2', 'webseed-stalled.mjs', { clients: 64, seconds: env('WEBSEED_SECONDS', 8) }],
  ['webseed-slow-read-1000', '13.2', 'webseed-stalled.mjs', { clients: 1000, slowReadMs: 5000, seconds: env('WEBSEED_SECONDS', 8) }],
  ['upgrade-any-path', '13.3', 'upgrade-any-path.mjs', { rate: 50, seconds: 5 }],
  ['full-scrape-flood', '13.4', 'full-scrape-flood.mjs', { rate: 250, connections: 4, seconds: env('LOOP_SECONDS', 10) }],
  ['byte-heads-100', '13.6', 'byte-heads.mjs', { connections: 100, headBytes: 16_000, seconds: 30 }],
].map(([name, item, file, opts]) => ({ name, item, file, opts }));

/** The attacks a selection names (all when empty); idle always comes first. */
export function select(selection = '') {
  const words = selection.split(/[\s,]+/).filter(Boolean);
  const picked = ATTACKS.filter((a) => a.name === 'idle' || words.length === 0
    || words.some((w) => a.name === w || a.name.startsWith(w) || String(a.item) === w || String(a.item).startsWith(`${w}.`)));
  return picked;
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === 'list') {
  const picked = select(process.argv[3] ?? process.env.ATTACKS ?? '');
  if (picked.length === 1 && (process.argv[3] ?? process.env.ATTACKS ?? '').trim() !== '') {
    process.stderr.write(`no attack matches '${process.argv[3] ?? process.env.ATTACKS}'; names: ${ATTACKS.map((a) => a.name).join(' ')}\n`);
    process.exit(2);
  }
  process.stdout.write(picked.map((a) => a.name).join('\n') + '\n');
}
