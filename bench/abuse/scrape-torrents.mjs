// The catalog the full-scrape attacks need (issue 13 item 4: 2,002 torrents): small torrents made
// by make-torrents.mjs at setup but registered only when the first such attack prepares (with the
// command line, as setup does), so the attacks before it keep the catalog they were measured with.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { jsonOf, postGraphql } from './http-client.mjs';
import { esc, sleep } from './raw-http.mjs';

const COMPLETE = Buffer.from('8:completei');

/** Torrents a scrape lists (`query` '' : a full scrape), counted by their `complete` keys in the raw
 * bytes (a decoder would turn the 20-byte keys into strings); null without a readable answer. */
export async function scrapeCount(base, query = '', timeoutMs = 30_000) {
  const res = await fetch(`${base}/scrape${query}`, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => null);
  if (res === null || res.status !== 200) return null;
  const body = Buffer.from(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
  let n = 0;
  for (let at = body.indexOf(COMPLETE); at !== -1; at = body.indexOf(COMPLETE, at + 1)) n++;
  return n;
}

/**
 * Registers spare torrents until the catalog holds at least `setup.scrape.target`, then waits (at
 * most 30 s: the tracker notices within SYNC_INTERVAL) until the tracker knows the last of them.
 * Returns the catalog's count.
 */
export async function ensureScrapeTorrents(ctx) {
  const { target, spareDir, firstSpare, spares, cli } = ctx.setup.scrape;
  const count = await catalogCount(ctx.base);
  if (count >= target) return count;
  const need = Math.min(target - count, spares);
  const files = Array.from({ length: need }, (_, i) => path.join(spareDir, `bench-${firstSpare + i}.torrent`));
  const r = spawnSync(process.execPath, [cli.bin, 'register', ...files], { cwd: cli.cwd, env: { ...process.env, DATA_DIR: cli.dataDir, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`register of ${need} spare torrents failed: ${(r.stderr || r.error?.message || '').slice(0, 200)}`);
  const last = r.stdout.trim().split('\n').pop();
  let known = false;
  for (const t0 = Date.now(); !known && Date.now() - t0 < 30_000;) {
    known = (await scrapeCount(ctx.base, `?info_hash=${esc(Buffer.from(last, 'hex'))}`)) === 1;
    if (!known) await sleep(500);
  }
  const now = await catalogCount(ctx.base);
  process.stdout.write(`   (registered ${need} spare torrents: the catalog holds ${now}${known ? '' : '; the tracker did not list the last one within 30 s'})\n`);
  return now;
}

async function catalogCount(base) {
  const r = await postGraphql(base, { query: '{torrents(first:0){totalCount}}' }, { timeoutMs: 30_000 });
  const n = jsonOf(r)?.data?.torrents?.totalCount;
  if (typeof n !== 'number') throw new Error(`catalog count unreadable: ${r.error ?? r.text.slice(0, 200)}`);
  return n;
}
