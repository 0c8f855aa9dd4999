// WebTorrent 3 (npm `webtorrent`, in Node; the engine of WebTorrent Desktop, Brave's player and
// PeerTube's) downloads content that seedhost published, with nobody else in the swarm:
// - a single file from the .torrent URL: WebTorrent fetches the url-list URL as is
//   (`/webseed/<hash>/`, no name appended), which serves the file (issue 14, item 2);
// - a folder with an empty file from the .torrent URL: it asks `Range: bytes=0-N` of the empty
//   file, answered 200 with no bytes as nginx does (item 3);
// - a single file from the magnet link alone: the metadata comes from the magnet's `xs` (the
//   .torrent URL), since no peer exists to give it (item 5).
// Every download is compared byte for byte with the original. The client runs in a child process
// (test/e2e/clients/webtorrent_get.mjs) that records every HTTP request it makes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Daemon } from '../helpers/daemon.js';
import { databaseKinds } from '../helpers/databases.js';
import { needs } from '../helpers/environment.js';
import { addViaCli } from '../helpers/publish.js';
import { REPO_ROOT, startTestServer, type TestServer } from '../helpers/test-server.js';
import { freePort } from '../helpers/wait.js';

const WT_GET = path.join(REPO_ROOT, 'test/e2e/clients/webtorrent_get.mjs');
const loads = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('webtorrent')"], { cwd: REPO_ROOT, encoding: 'utf8' });
const skip = needs(loads.status === 0, `npm webtorrent (npm install; docs/clients.md says how it installs on Node 20): ${loads.stderr.split('\n')[0]}`);

/** The client gets this long to finish (each download takes a second or two here). */
const CLIENT_LIMIT_S = 30;
const PIECE_LENGTH = 32768;
/** Odd sizes, so the last piece is short; the folder has an empty file between two others. */
const SINGLE_SIZE = 300_001;
const FOLDER_FILES: Record<string, number> = {
  '01 intro.bin': 40_001,
  'empty.txt': 0,
  'notes.txt': 777,
  'sub/deeper/track 2.bin': 100_007,
  'sub/z-last.bin': 5_539,
};

interface Published {
  hash: string;
  source: string;
  name: string;
  magnetUri: string;
  torrentUrl: string;
}

interface Fetched { method: string; url: string; range: string | null; status: number | null }
interface Done { fetched: Fetched[]; wires: Record<string, number>; warnings: string[] }

describe('WebTorrent (Node) against seedhost', { skip }, () => {
  let ts: TestServer;
  let publicUrl: string;
  let work: string;
  const clients: Daemon[] = [];

  before(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    ts = await startTestServer(databaseKinds()[0], { PORT: String(port), PUBLIC_URL: publicUrl });
    work = mkdtempSync(path.join(tmpdir(), 'seedhost-webtorrent-'));
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.kill()));
    await ts?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  /** Publishes a fresh random file (or folder of `files`) with the real command line; reads its links from GraphQL. */
  async function publish(label: string, files?: Record<string, number>): Promise<Published> {
    const name = `${label}-${randomBytes(3).toString('hex')}${files === undefined ? '.bin' : ''}`;
    const source = path.join(work, 'content', name);
    for (const [rel, n] of Object.entries(files ?? { '': SINGLE_SIZE })) {
      const file = path.join(source, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, randomBytes(n));
    }
    const hash = await addViaCli(ts, [source, '--piece-length', String(PIECE_LENGTH)]);
    for (let waited = 0; !ts.server.registered.has(hash); waited += 50) {
      if (waited > 10_000) assert.fail(`the server did not pick up ${hash} within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await fetch(`${publicUrl}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ torrent(infoHash: "${hash}") { magnetUri torrentUrl } }` }),
    });
    const { data } = await res.json() as { data: { torrent: { magnetUri: string; torrentUrl: string } } };
    return { hash, source, name, ...data.torrent };
  }

  /** Runs webtorrent_get.mjs on `torrentId` into a fresh folder; returns its report and the folder. */
  async function download(label: string, torrentId: string): Promise<{ done: Done; dir: string; output: () => string }> {
    const dir = mkdtempSync(path.join(work, `${label}-downloads-`));
    const client = new Daemon(`webtorrent ${label}`, process.execPath, [WT_GET, torrentId, dir], { env: { SEEDHOST_WT_TIMEOUT: String(CLIENT_LIMIT_S) } });
    clients.push(client);
    const code = await client.exit((CLIENT_LIMIT_S + 10) * 1000);
    assert.equal(code, 0, `WebTorrent did not finish\n${client.output()}`);
    return { done: client.events('done')[0] as unknown as Done, dir, output: () => client.output() };
  }

  /** The client saved exactly the published bytes under `dir`, empty files included, and nothing else. */
  function assertSameBytes(p: Published, dir: string, diagnose: () => string): void {
    assert.deepEqual(readdirSync(dir), [p.name], `unexpected files in the download folder\n${diagnose()}`);
    const rels = readdirTree(p.source);
    assert.deepEqual(readdirTree(path.join(dir, p.name)), rels, `the downloaded tree differs\n${diagnose()}`);
    for (const rel of rels) {
      assert.ok(readFileSync(path.join(dir, p.name, rel)).equals(readFileSync(path.join(p.source, rel))), `${rel}: the downloaded bytes differ\n${diagnose()}`);
    }
  }

  /** Every byte came from the webseed: no BitTorrent peer connected, and no webseed request failed. */
  function assertWebseedOnly(p: Published, done: Done, diagnose: () => string): Fetched[] {
    assert.deepEqual(Object.keys(done.wires), ['webSeed'], `connections other than the webseed\n${diagnose()}`);
    const ranges = done.fetched.filter((f) => f.url.startsWith(`${publicUrl}/webseed/${p.hash}`));
    assert.ok(ranges.length > 0, diagnose());
    for (const f of ranges) assert.ok(f.status === 200 || f.status === 206, `${f.url} ${f.range}: ${f.status}\n${diagnose()}`);
    return ranges;
  }

  it('downloads a single file from the webseed alone, fetching the url-list URL as is', { timeout: 60_000 }, async () => {
    const p = await publish('wt-single');
    const { done, dir, output } = await download('single', p.torrentUrl);
    assertSameBytes(p, dir, output);
    const ranges = assertWebseedOnly(p, done, output);
    assert.deepEqual([...new Set(ranges.map((f) => f.url))], [`${publicUrl}/webseed/${p.hash}/`], 'WebTorrent appends nothing to a single-file url-list');
    assert.ok(ranges.every((f) => f.status === 206 && f.range !== null));
  });

  it('downloads a folder with an empty file from the webseed alone (the empty file\'s range answered 200)', { timeout: 60_000 }, async () => {
    const p = await publish('wt-folder', FOLDER_FILES);
    const { done, dir, output } = await download('folder', p.torrentUrl);
    assertSameBytes(p, dir, output);
    const ranges = assertWebseedOnly(p, done, output);
    const empty = ranges.filter((f) => f.url === `${publicUrl}/webseed/${p.hash}/${p.name}/empty.txt`);
    assert.ok(empty.length > 0 && empty.every((f) => f.status === 200), `WebTorrent asks for a range of the empty file: ${JSON.stringify(empty)}\n${output()}`);
  });

  it('starts from the magnet link alone: the metadata from xs (the .torrent URL), the bytes from the webseed', { timeout: 60_000 }, async () => {
    const p = await publish('wt-magnet');
    const magnet = new URL(p.magnetUri);
    assert.equal(magnet.searchParams.get('xs'), p.torrentUrl);
    const { done, dir, output } = await download('magnet', p.magnetUri);
    assertSameBytes(p, dir, output);
    assert.deepEqual(done.fetched[0], { method: 'GET', url: p.torrentUrl, range: null, status: 200 }, `its first request is the xs URL\n${output()}`);
    assertWebseedOnly(p, done, output);
  });
});

function readdirTree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
      if (e.isDirectory()) walk(path.join(d, e.name), rel);
      else out.push(rel);
    }
  };
  if (statSync(root).isDirectory()) walk(root, '');
  else out.push('');
  return out;
}
