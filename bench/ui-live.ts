// `npm run bench:ui-live` (issue 15 item 3): one torrent-list tab's WebSocket messages and
// main-thread time while announces flow on many torrents, for the web UI before item 3 (commit
// 09afcdd^: every tab subscribed to every swarm and kept chart history for all) and today's. Both
// builds face the same server, torrents and announce load (bench/ui-front.ts serves each build and
// passes the API through); one fresh chromium per tab, builds interleaved. See bench/README.md.
// Env: BEFORE=09afcdd^ TORRENTS=300 RATE=400 (announces/s) SECONDS=30 WARMUP=5 ROUNDS=2
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { launchBrowser } from '../test/helpers/browser.js';
import { spawnServer, stopServer } from '../test/helpers/server-process.js';
import { REPO_ROOT } from '../test/helpers/test-server.js';
import { startFront } from './ui-front.js';

const BEFORE = process.env.BEFORE ?? '09afcdd^';
const TORRENTS = Number(process.env.TORRENTS ?? 300);
const RATE = Number(process.env.RATE ?? 400);
const SECONDS = Number(process.env.SECONDS ?? 30);
const WARMUP = Number(process.env.WARMUP ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
/** What the old UI subscribes to (client/src/graphql/documents.ts at BEFORE). */
const OLD_SUBSCRIPTION = 'subscription SwarmUpdated { swarmUpdated { infoHash seeders leechers completed } }';

const tmp = mkdtempSync(path.join(tmpdir(), 'seedhost-ui-live-'));
const run = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string => {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? process.env, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
  return r.stdout;
};

/** The web UI of commit `rev`, built with this checkout's node_modules; returns its dist folder. */
function buildOldClient(rev: string): string {
  const dir = path.join(tmp, 'before');
  mkdirSync(dir);
  const tar = path.join(tmp, 'client.tar');
  run('git', ['archive', '-o', tar, rev, 'client']);
  run('tar', ['-xf', tar, '-C', dir]);
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  run(process.execPath, [path.join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--config', path.join(dir, 'client/vite.config.ts')]);
  return path.join(dir, 'client/dist');
}

/** The old UI's subscription must still be in today's schema, or the comparison means nothing. */
function checkOldSubscription(): void {
  const schema = buildSchema(readFileSync(path.join(REPO_ROOT, 'schema/schema.graphql'), 'utf8'));
  const errors = validate(schema, parse(OLD_SUBSCRIPTION));
  if (errors.length) throw new Error(`the old UI's subscription is not in today's schema (${errors.map((e) => e.message).join('; ')}): serve the old build against a server built from ${BEFORE}`);
}

// -- announce load: RATE/s round-robin over the torrents; every announce changes its swarm's counts
// (a peer of a ring of 10 per torrent starts if it is out, stops if it is in).
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const esc = (hex: string) => hex.replace(/../g, '%$&');
let sent = 0, done = 0, failed = 0, skipped = 0;
function startLoad(port: number, hashes: string[]): () => void {
  const active = hashes.map(() => new Array<boolean>(10).fill(false));
  let next = 0;
  const perTick = RATE / 100;
  let owed = 0;
  const timer = setInterval(() => {
    for (owed += perTick; owed >= 1; owed--) {
      if (sent - done > 256) { skipped++; continue; }
      const t = next % hashes.length, j = Math.floor(next / hashes.length) % 10;
      next++;
      const on = active[t][j];
      active[t][j] = !on;
      const q = `info_hash=${esc(hashes[t])}&peer_id=-UL0001-${String(t * 10 + j).padStart(12, '0')}&port=${20000 + j}&uploaded=0&downloaded=0&left=${j % 3 === 0 ? 0 : 1000}&event=${on ? 'stopped' : 'started'}&numwant=0&compact=1`;
      sent++;
      http.get({ host: '127.0.0.1', port, path: `/announce?${q}`, agent }, (r) => {
        r.resume();
        r.on('end', () => { done++; if (r.statusCode !== 200) failed++; });
      }).on('error', () => { done++; failed++; });
    }
  }, 10);
  return () => clearInterval(timer);
}

interface Sample { build: string; round: number; seconds: number; announces: number; messages: number; swarmPushes: number; bytes: number; taskMs: number; scriptMs: number }

/** One fresh chromium tab of the torrent list at `url`: warm-up, then SECONDS of measurement. */
async function measure(build: string, round: number, url: string): Promise<Sample> {
  const b = await launchBrowser(url);
  try {
    const { page } = b;
    let counting = false, messages = 0, swarmPushes = 0, bytes = 0;
    page.on('websocket', (ws) => ws.on('framereceived', (f) => {
      if (!counting) return;
      const p = typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8');
      messages++;
      bytes += Buffer.byteLength(p);
      if (/"swarms?Updated"/.test(p) && p.includes('"next"')) swarmPushes++;
    }));
    await page.goto('/');
    await page.getByText(/bench-\d+/).first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(WARMUP * 1000);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => {
      const m = (await cdp.send('Performance.getMetrics')).metrics;
      const v = (n: string) => m.find((x) => x.name === n)?.value ?? 0;
      return { task: v('TaskDuration'), script: v('ScriptDuration') };
    };
    const m0 = await metrics();
    const a0 = done, t0 = performance.now();
    counting = true;
    await page.waitForTimeout(SECONDS * 1000);
    counting = false;
    const m1 = await metrics();
    const seconds = (performance.now() - t0) / 1000;
    const rows = await page.locator('li.torrent').count();
    if (swarmPushes === 0) throw new Error(`${build}: the tab received no swarm push in ${SECONDS} s (${rows} rows shown): it is not live against this server`);
    return { build, round, seconds, announces: done - a0, messages, swarmPushes, bytes, taskMs: (m1.task - m0.task) * 1000, scriptMs: (m1.script - m0.script) * 1000 };
  } finally {
    await b.close();
  }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const per = (s: Sample) => ({ msgMin: s.messages / s.seconds * 60, kbMin: s.bytes / 1024 / s.seconds * 60, taskMsS: s.taskMs / s.seconds, scriptMsS: s.scriptMs / s.seconds, annS: s.announces / s.seconds });
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

async function main(): Promise<void> {
  checkOldSubscription();
  process.stdout.write(`== building the web UI of ${BEFORE} (today's is client/dist, built by npm run build)\n`);
  const dists: Record<string, string> = { before: buildOldClient(BEFORE), after: path.join(REPO_ROOT, 'client/dist') };
  process.stdout.write(`== ${TORRENTS} torrents registered, server started; announce load ${RATE}/s over all of them\n`);
  const torrents = path.join(tmp, 'torrents');
  run(process.execPath, [path.join(REPO_ROOT, 'bench/make-torrents.mjs'), torrents, String(TORRENTS)]);
  const env = { ...process.env, DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'warn' };
  const hashes = run(process.execPath, [path.join(REPO_ROOT, 'bin/seedhost.js'), 'register', ...Array.from({ length: TORRENTS }, (_, i) => path.join(torrents, `bench-${i}.torrent`))], { cwd: tmp, env }).trim().split('\n');
  if (hashes.length !== TORRENTS) throw new Error(`registered ${hashes.length} of ${TORRENTS} torrents`);
  const srv = spawnServer({ DATA_DIR: path.join(tmp, 'data'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  const port = await srv.port;
  const fronts = { before: await startFront(dists.before, port), after: await startFront(dists.after, port) };
  const stopLoad = startLoad(port, hashes);
  const samples: Sample[] = [];
  try {
    await new Promise((r) => setTimeout(r, 3000));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const build of ['before', 'after'] as const) {
        const s = await measure(build, round, fronts[build].url);
        const p = per(s);
        samples.push(s);
        process.stdout.write(`   round ${round} ${build.padEnd(6)}: ${fmt(p.annS)} announces/s; ${fmt(p.msgMin)} messages/min (${fmt(s.swarmPushes)} swarm pushes in ${fmt(s.seconds, 1)} s), ${fmt(p.kbMin)} kB/min; main thread ${fmt(p.taskMsS, 1)} ms/s busy, ${fmt(p.scriptMsS, 1)} ms/s script\n`);
      }
    }
  } finally {
    stopLoad();
    for (const f of Object.values(fronts)) await f.close();
    await stopServer(srv);
    agent.destroy();
  }
  const sum: Record<string, ReturnType<typeof per>> = {};
  for (const build of ['before', 'after']) {
    const ps = samples.filter((s) => s.build === build).map(per);
    sum[build] = { msgMin: median(ps.map((p) => p.msgMin)), kbMin: median(ps.map((p) => p.kbMin)), taskMsS: median(ps.map((p) => p.taskMsS)), scriptMsS: median(ps.map((p) => p.scriptMsS)), annS: median(ps.map((p) => p.annS)) };
  }
  const [b, a] = [sum.before, sum.after];
  process.stdout.write(`\nRESULT one list tab, ${TORRENTS} torrents, ${fmt(b.annS)}/${fmt(a.annS)} announces/s (before/after), median of ${ROUNDS} rounds; announce failures ${failed}, skipped (256 in flight) ${skipped}\n`);
  for (const [name, s] of [[`before (${BEFORE})`, b], ['after (today)', a]] as const) {
    process.stdout.write(`RESULT ${name.padEnd(16)}: ${fmt(s.msgMin).padStart(7)} messages/min, ${fmt(s.kbMin).padStart(6)} kB/min, main thread ${fmt(s.taskMsS, 1).padStart(6)} ms/s busy (${fmt(s.taskMsS / 10, 1)} % of a core), ${fmt(s.scriptMsS, 1).padStart(6)} ms/s script\n`);
  }
  process.stdout.write(`RESULT ratio before/after: messages ${fmt(b.msgMin / a.msgMin, 1)}x, bytes ${fmt(b.kbMin / a.kbMin, 1)}x, main thread ${fmt(b.taskMsS / a.taskMsS, 1)}x, script ${fmt(b.scriptMsS / a.scriptMsS, 1)}x\n`);
  mkdirSync(path.join(REPO_ROOT, 'bench/results'), { recursive: true });
  const tag = `ui-live-${new Date().toISOString()}`;
  for (const s of samples) appendFileSync(path.join(REPO_ROOT, 'bench/results/ui-live.jsonl'), JSON.stringify({ tag, torrents: TORRENTS, rate: RATE, ...s }) + '\n');
}

main().catch((e: Error) => { process.stderr.write(`${e.stack ?? e}\n`); process.exitCode = 1; })
  .finally(() => rmSync(tmp, { recursive: true, force: true }));
