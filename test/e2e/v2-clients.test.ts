// libtorrent (python3-libtorrent) downloads v2 and hybrid torrents that libtorrent made and
// seedhost registered: from the webseed alone (the content placed where seedhost serves hosted
// content: registration itself hosts nothing), and from a libtorrent seeder found through the
// tracker, which announces a hybrid under both its hashes and still counts one seeder.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { libtorrentPython, needs } from '../helpers/environment.js';
import { ADMIN_ENV, gql, ok, setUpAccounts, upload } from '../helpers/graphql-client.js';
import { REPO_ROOT, startTestServer, type TestServer } from '../helpers/test-server.js';
import { httpGet, scrape } from '../helpers/tracker-client.js';
import { makeV2Set, type V2Set } from '../helpers/v2-torrents.js';
import { waitUntil } from '../helpers/wait.js';

const run = promisify(execFile);
const LT_WEBSEED = path.join(REPO_ROOT, 'test/e2e/clients/lt_webseed.py');
const LT_SWARM = path.join(REPO_ROOT, 'test/e2e/clients/lt_swarm.py');
const python = libtorrentPython();
const skip = needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)');
const kind = databaseKinds()[0];
const REGISTER = 'mutation($file: Upload!) { registerTorrent(file: $file) { infoHash } }';
const FILES = ['a.bin', 'b.txt', 'empty', 'sub/c.bin'];

describe('libtorrent with v2 and hybrid torrents', { skip }, () => {
  let t: TestServer;
  let set: V2Set;
  let work: string;
  const hashes = new Map<string, string>();

  /** Registers the set's torrent `name` and hosts its content (folder `d`) as a publish would have stored it. */
  async function registerAndHost(name: string, token: string): Promise<string> {
    const r = await upload(t.baseUrl, REGISTER, { file: null }, [{ at: 'variables.file', filename: `${name}.torrent`, data: set.torrent(name) }], { token });
    const h = ok<{ registerTorrent: { infoHash: string } }>(r).registerTorrent.infoHash;
    cpSync(path.join(set.dir, 'd'), path.join(t.dataDir, 'content', h, 'd'), { recursive: true });
    await t.server.ds.query('UPDATE torrents SET hosted = ? WHERE info_hash = ?', [true, h]);
    writeFileSync(path.join(work, `${name}.torrent`), set.torrent(name));
    return h;
  }

  const sameFiles = (dir: string): void => {
    for (const f of FILES) assert.deepEqual(readFileSync(path.join(dir, 'd', f)), readFileSync(path.join(set.dir, 'd', f)), f);
  };
  const lastEvent = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() as string) as Record<string, unknown>;

  before(async () => {
    t = await startTestServer(kind, { ...ADMIN_ENV, UDP_PORT: 'off' });
    set = makeV2Set(python as string, t.baseUrl);
    work = mkdtempSync(path.join(tmpdir(), 'seedhost-v2-clients-'));
    const acc = await setUpAccounts(t.baseUrl);
    for (const name of ['hybrid', 'v2']) hashes.set(name, await registerAndHost(name, acc.alice));
  });
  after(async () => {
    await t.close();
    rmSync(work, { recursive: true, force: true });
    rmSync(set.dir, { recursive: true, force: true });
  });

  for (const name of ['hybrid', 'v2']) {
    it(`downloads a ${name} torrent from the webseed alone`, async () => {
      const save = path.join(work, `${name}-web`);
      mkdirSync(save);
      const { stdout } = await run(python as string, [LT_WEBSEED, 'webseed', path.join(work, `${name}.torrent`), save], { env: { ...process.env, SEEDHOST_LT_TIMEOUT: '60' } });
      const done = lastEvent(stdout);
      assert.equal(done.event, 'finished');
      assert.deepEqual(done.url_seed_errors, []);
      sameFiles(save);
    });
  }

  it('serves a hybrid\'s padding files as zero bytes (BEP 47 .pad/N), and nothing else under .pad', async () => {
    const h = hashes.get('hybrid') as string;
    const pad = await httpGet(`${t.baseUrl}/webseed/${h}/d/.pad/9152`);
    assert.equal(pad.status, 200);
    assert.deepEqual(pad.body, Buffer.alloc(9152));
    const part = await httpGet(`${t.baseUrl}/webseed/${h}/d/.pad/9152`, { headers: { Range: 'bytes=100-199' } });
    assert.deepEqual([part.status, part.body], [206, Buffer.alloc(100)]);
    for (const bad of ['d/.pad/16384', 'd/.pad/0', 'd/.pad/012', 'x/.pad/5']) assert.equal((await httpGet(`${t.baseUrl}/webseed/${h}/${bad}`)).status, 404, bad);
    // a v2-only torrent has no padding files
    assert.equal((await httpGet(`${t.baseUrl}/webseed/${hashes.get('v2')}/d/.pad/9152`)).status, 404);
  });

  it('counts a libtorrent seeder of a hybrid once while it announces under both hashes', async () => {
    const h = hashes.get('hybrid') as string;
    const cut = (set.hashes.get('hybrid') as [string, string])[1].slice(0, 40);
    const seed = path.join(work, 'seed-only');
    cpSync(path.join(set.dir, 'd'), path.join(seed, 'd'), { recursive: true });
    const child = spawn(python as string, [LT_SWARM, 'seed', path.join(work, 'hybrid.torrent'), seed], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SEEDHOST_LT_TIMEOUT: '60' } });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      assert.ok(await waitUntil(() => out.includes('"seeding"'), 30000), `no seeding event: ${err}`);
      // libtorrent announces the second hash right after the first: wait until the swarm holds it under both
      const peers = async (): Promise<number> => (await t.server.store.peers(h)).length;
      assert.ok(await waitUntil(async () => (await scrape(`${t.baseUrl}/scrape`, [cut]))[cut]?.complete === 1, 10000), 'the v2 hash scrapes to the seeder');
      const s = await scrape(`${t.baseUrl}/scrape`, [h, cut]);
      assert.deepEqual([s[h].complete, s[cut].complete, s[h].incomplete], [1, 1, 0]);
      assert.equal(await peers(), 1);
      const q = ok(await gql(t.baseUrl, 'query($h: String!) { torrent(infoHash: $h) { seeders leechers } }', { h: cut })).torrent;
      assert.deepEqual(q, { seeders: 1, leechers: 0 });
    } finally {
      child.stdin.end();
      await exited;
    }
  });

  it('moves a hybrid from a libtorrent seeder to a leecher through the tracker, both hashes announced, one seeder counted', async () => {
    const h = hashes.get('hybrid') as string;
    const cut = (set.hashes.get('hybrid') as [string, string])[1].slice(0, 40);
    // count the announces under the v2 hash (the alias map is read only for them)
    const aliases = t.server.tracker.v2Aliases as Map<string, string>;
    let v2Announces = 0;
    const get = aliases.get.bind(aliases);
    aliases.get = (k: string) => {
      if (k === cut) v2Announces++;
      return get(k);
    };
    const completed = async (): Promise<number> => ok(await gql(t.baseUrl, 'query($h: String!) { torrent(infoHash: $h) { completed } }', { h })).torrent.completed as number;
    // the webseed download above completed once already
    const before = await completed();
    const seed = path.join(work, 'seed');
    const leech = path.join(work, 'leech');
    mkdirSync(seed);
    mkdirSync(leech);
    cpSync(path.join(set.dir, 'd'), path.join(seed, 'd'), { recursive: true });
    // the seeder keeps the url-list; the leecher's is stripped, so its only source is the seeder
    const { stdout } = await run(python as string, [LT_WEBSEED, 'swarm', path.join(work, 'hybrid.torrent'), seed, leech], { env: { ...process.env, SEEDHOST_LT_TIMEOUT: '90' } });
    const done = lastEvent(stdout);
    assert.equal(done.event, 'finished');
    assert.ok(Object.keys(done.sources as object).includes(`127.0.0.1:${done.seeder_port as number}`), `blocks came from the seeder: ${JSON.stringify(done.sources)}`);
    sameFiles(leech);
    assert.ok(v2Announces >= 2, `announces under the v2 hash: ${v2Announces}`);
    // both processes have stopped: the seeder announced under both hashes and was one peer
    assert.ok(await waitUntil(async () => (await scrape(`${t.baseUrl}/scrape`, [h]))[h].complete === 0, 5000));
    assert.equal(await completed(), before + 1, 'one download, reported under both hashes');
  });
});
