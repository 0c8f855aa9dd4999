// libtorrent (python3-libtorrent) downloads v2 and hybrid torrents that libtorrent made and
// seedhost registered: from the webseed alone (the content placed where seedhost serves hosted
// content: registration itself hosts nothing), and from a libtorrent seeder found through the
// tracker, which announces a hybrid under both its hashes and still counts one seeder.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { hasCommand, libtorrentPython, needs } from '../helpers/environment.js';
import { ADMIN_ENV, gql, ok, setUpAccounts, upload } from '../helpers/graphql-client.js';
import { REPO_ROOT, startTestServer, type TestServer } from '../helpers/test-server.js';
import { httpGet, scrape } from '../helpers/tracker-client.js';
import { makeV2Set, type V2Set } from '../helpers/v2-torrents.js';
import { freePort, waitUntil } from '../helpers/wait.js';

const run = promisify(execFile);
const LT_WEBSEED = path.join(REPO_ROOT, 'test/e2e/clients/lt_webseed.py');
const LT_SWARM = path.join(REPO_ROOT, 'test/e2e/clients/lt_swarm.py');
const python = libtorrentPython();
const skip = needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)');
const kind = databaseKinds()[0];
const skipAria2 = needs(hasCommand('aria2c'), 'aria2c (apt-get install aria2)');
const skipTransmission = needs(hasCommand('transmission-cli'), 'transmission-cli (apt-get install transmission-cli)');
const ARIA2_OPTIONS = [
  '--no-conf=true', '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false',
  '--seed-time=0', '--bt-tracker-connect-timeout=5', '--bt-tracker-timeout=10', '--bt-stop-timeout=50', '--stop=60',
  '--file-allocation=none', '--allow-overwrite=true', '--disable-ipv6=true', '--listen-port=6881-6999',
  '--summary-interval=0', '--console-log-level=warn',
];
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

  const completedOf = async (h: string): Promise<number> => ok(await gql(t.baseUrl, 'query($h: String!) { torrent(infoHash: $h) { completed } }', { h })).torrent.completed as number;

  /**
   * A libtorrent seeder (it keeps the url-list) and a leecher (its url-list stripped, so its only
   * source is the seeder) of torrent `name`, found through the tracker: checks the leecher got the
   * files from the seeder, and that both left the swarm.
   */
  async function seederToLeecher(name: string, h: string): Promise<void> {
    const seed = path.join(work, `${name}-seed`);
    const leech = path.join(work, `${name}-leech`);
    mkdirSync(seed);
    mkdirSync(leech);
    cpSync(path.join(set.dir, 'd'), path.join(seed, 'd'), { recursive: true });
    const { stdout } = await run(python as string, [LT_WEBSEED, 'swarm', path.join(work, `${name}.torrent`), seed, leech], { env: { ...process.env, SEEDHOST_LT_TIMEOUT: '90' } });
    const done = lastEvent(stdout);
    assert.equal(done.event, 'finished');
    assert.ok(Object.keys(done.sources as object).includes(`127.0.0.1:${done.seeder_port as number}`), `blocks came from the seeder: ${JSON.stringify(done.sources)}`);
    sameFiles(leech);
    assert.ok(await waitUntil(async () => (await scrape(`${t.baseUrl}/scrape`, [h]))[h].complete === 0, 5000));
  }

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

  /** What a v1 client left of the hybrid's padding files on disk (d/.pad/...), for the record. */
  const padsOnDisk = (dir: string): string[] => (existsSync(path.join(dir, 'd', '.pad')) ? readdirSync(path.join(dir, 'd', '.pad')).sort() : []);

  it('aria2c downloads the hybrid (its v1 part) from the webseed alone', { skip: skipAria2, timeout: 90_000 }, async () => {
    const dir = path.join(work, 'aria2');
    mkdirSync(dir);
    await run('aria2c', [...ARIA2_OPTIONS, `--dir=${dir}`, path.join(work, 'hybrid.torrent')], { timeout: 80_000 });
    for (const f of FILES.filter((f) => f !== 'empty')) assert.deepEqual(readFileSync(path.join(dir, 'd', f)), readFileSync(path.join(set.dir, 'd', f)), f);
    // aria2 1.36 treats BEP 47 padding files as files: it fetches d/.pad/N from the webseed (zeros) and keeps them
    const pads = padsOnDisk(dir);
    process.stdout.write(`# aria2c left padding files on disk: ${JSON.stringify(pads)}\n`);
    for (const p of pads) assert.deepEqual(readFileSync(path.join(dir, 'd', '.pad', p)), Buffer.alloc(Number(p)), p);
  });

  it('transmission-cli downloads the hybrid (its v1 part) from the webseed alone, or (3.x) refuses to open it', { skip: skipTransmission, timeout: 90_000 }, async () => {
    const version = (await run('transmission-cli', ['--version']).catch((e: { stdout?: string; stderr?: string }) => e)) as { stdout?: string; stderr?: string };
    const v3 = /transmission-cli 3\./.test(`${version.stdout ?? ''}${version.stderr ?? ''}`);
    const dir = path.join(work, 'transmission');
    const config = mkdtempSync(path.join(work, 'transmission-config-'));
    mkdirSync(dir);
    const marker = path.join(config, 'finished');
    const finish = path.join(config, 'finish.sh');
    writeFileSync(finish, `#!/bin/sh\necho done > '${marker}'\n`, { mode: 0o755 });
    writeFileSync(path.join(config, 'settings.json'), JSON.stringify({
      'dht-enabled': false, 'lpd-enabled': false, 'pex-enabled': false, 'utp-enabled': false, 'port-forwarding-enabled': false,
      'bind-address-ipv4': '127.0.0.1', 'bind-address-ipv6': '::1', 'rename-partial-files': false, 'incomplete-dir-enabled': false,
      'start-added-torrents': true, 'message-level': 3,
    }));
    const tr = spawn('transmission-cli', ['-g', config, '-w', dir, '-M', '-p', String(await freePort()), '-f', finish, path.join(work, 'hybrid.torrent')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    tr.stdout.setEncoding('utf8').on('data', (s: string) => { output += s; });
    tr.stderr.setEncoding('utf8').on('data', (s: string) => { output += s; });
    const exited = new Promise((resolve) => tr.on('close', resolve));
    try {
      if (v3) {
        // Transmission 3.00's bencode reader refuses the file tree's empty ("") keys, so it opens no
        // v2 or hybrid .torrent at all (4.0 reads hybrids); recorded, not worked around
        await exited;
        assert.match(output, /Failed opening torrent file/);
        process.stdout.write('# transmission-cli 3.00 cannot open a hybrid .torrent (its parser refuses the file tree\'s "" keys)\n');
        return;
      }
      assert.ok(await waitUntil(() => existsSync(marker), 60_000), `transmission-cli did not finish within 60 s:\n${output.slice(-3000)}`);
    } finally {
      tr.kill('SIGINT');
      await exited;
    }
    // transmission 3.00 creates no zero-length file it never writes to (d/empty)
    for (const f of FILES.filter((f) => f !== 'empty')) assert.deepEqual(readFileSync(path.join(dir, 'd', f)), readFileSync(path.join(set.dir, 'd', f)), f);
    const pads = padsOnDisk(dir);
    process.stdout.write(`# transmission-cli left padding files on disk: ${JSON.stringify(pads)}\n`);
    for (const p of pads) assert.deepEqual(readFileSync(path.join(dir, 'd', '.pad', p)), Buffer.alloc(Number(p)), p);
  });

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
    // the webseed download above completed once already
    const before = await completedOf(h);
    await seederToLeecher('hybrid', h);
    assert.ok(v2Announces >= 2, `announces under the v2 hash: ${v2Announces}`);
    // both processes have stopped: the seeder announced under both hashes and was one peer
    assert.equal(await completedOf(h), before + 1, 'one download, reported under both hashes');
  });

  it('moves a v2-only torrent from a libtorrent seeder to a leecher through the tracker', async () => {
    const h = hashes.get('v2') as string;
    const before = await completedOf(h);
    await seederToLeecher('v2', h);
    assert.equal(await completedOf(h), before + 1);
  });
});
