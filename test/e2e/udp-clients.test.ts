// Real clients through the UDP tracker alone: each .torrent (made by mktorrent) names only
// udp://127.0.0.1:<UDP port>/announce, so a leecher can learn of its seeder only from seedhost's
// BEP 15 replies. libtorrent (python3-libtorrent), aria2c and Transmission each download the whole
// file from a libtorrent seeder; UDP scrapes check the swarm's counts before and after.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Daemon } from '../helpers/daemon.js';
import { databaseKinds } from '../helpers/databases.js';
import { hasCommand, libtorrentPython, needs } from '../helpers/environment.js';
import { REPO_ROOT, startTestServer, type TestServer } from '../helpers/test-server.js';
import { Transmission } from '../helpers/transmission.js';
import { readScrape, scrapePacket, UdpClient } from '../helpers/udp-client.js';

const run = promisify(execFile);
const LT_SWARM = path.join(REPO_ROOT, 'test/e2e/clients/lt_swarm.py');
const INSTALL = 'apt-get install python3-libtorrent mktorrent aria2 transmission-daemon';
const python = libtorrentPython();
const skipLibtorrent = needs(python !== null && hasCommand('mktorrent'), `python3-libtorrent and mktorrent (${INSTALL})`);
const skipAria2 = skipLibtorrent || needs(hasCommand('aria2c'), `aria2c (${INSTALL})`);
const skipTransmission = skipLibtorrent || needs(hasCommand('transmission-daemon'), `transmission-daemon (${INSTALL})`);
/** 1 MiB plus an odd tail: 32 KiB pieces (mktorrent -l 15), the last one short. */
const FILE_SIZE = (1 << 20) + 12345;

describe('real clients through the UDP tracker alone', { skip: skipLibtorrent }, () => {
  let ts: TestServer;
  let work: string;
  let udpUrl: string;
  let udp: UdpClient;
  const daemons: Daemon[] = [];

  before(async () => {
    ts = await startTestServer(databaseKinds()[0]);
    udpUrl = `udp://127.0.0.1:${ts.server.udpPort}/announce`;
    udp = new UdpClient('127.0.0.1', ts.server.udpPort as number);
    work = mkdtempSync(path.join(tmpdir(), 'seedhost-udp-clients-'));
  });
  after(async () => {
    await Promise.all(daemons.map((d) => d.kill()));
    udp?.close();
    await ts?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  /** [seeders, completed, leechers] of `hash`, by a UDP scrape. */
  const counts = async (hash: string): Promise<number[]> => readScrape(await udp.request(scrapePacket(await udp.connect(), [hash])) as Buffer)[0];

  /** A random file, its mktorrent .torrent naming only the UDP tracker, registered with the command line. */
  async function registered(label: string): Promise<{ data: Buffer; name: string; torrent: string; hash: string; seedDir: string; leechDir: string }> {
    const dir = path.join(work, label);
    const seedDir = path.join(dir, 'seed'), leechDir = path.join(dir, 'leech');
    mkdirSync(seedDir, { recursive: true });
    mkdirSync(leechDir);
    const name = `${label}-${randomBytes(3).toString('hex')}.bin`;
    const data = randomBytes(FILE_SIZE);
    writeFileSync(path.join(seedDir, name), data);
    const torrent = path.join(dir, `${label}.torrent`);
    await run('mktorrent', ['-a', udpUrl, '-l', '15', '-o', torrent, name], { cwd: seedDir });
    const reg = await ts.cli(['register', torrent]);
    assert.equal(reg.code, 0, reg.stderr);
    const hash = reg.stdout.trim();
    for (let waited = 0; !ts.server.registered.has(hash); waited += 50) {
      if (waited > 10_000) assert.fail(`the server did not pick up ${hash}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { data, name, torrent, hash, seedDir, leechDir };
  }

  const seed = async (t: { torrent: string; seedDir: string }, name: string): Promise<{ seeder: Daemon; port: number }> => {
    const seeder = new Daemon(name, python as string, [LT_SWARM, 'seed', t.torrent, t.seedDir], { stdin: true });
    daemons.push(seeder);
    return { seeder, port: Number((await seeder.event('seeding', 30_000)).port) };
  };

  it('a libtorrent leecher downloads from a libtorrent seeder found through the UDP tracker', { timeout: 90_000 }, async () => {
    const t = await registered('lt');
    assert.deepEqual(await counts(t.hash), [0, 0, 0]);
    const lt = new Daemon('lt_swarm.py swarm', python as string, [LT_SWARM, 'swarm', t.torrent, t.seedDir, t.leechDir], { stdin: true });
    daemons.push(lt);
    const done = await lt.event('finished', 70_000);
    assert.equal(done.first_reply_peers, 1, lt.output());
    assert.deepEqual(done.outgoing, [`127.0.0.1:${done.seeder_port}`], lt.output());
    assert.deepEqual(await counts(t.hash), [2, 1, 0], 'two seeders, one completed download');
    lt.child.stdin?.end();
    assert.equal(await lt.exit(15_000), 0, lt.output());
    assert.ok(readFileSync(path.join(t.leechDir, t.name)).equals(t.data), 'the downloaded bytes differ');
  });

  it('aria2c downloads from a libtorrent seeder it learns of through the UDP tracker', { skip: skipAria2, timeout: 90_000 }, async () => {
    const t = await registered('aria2');
    const { seeder } = await seed(t, 'lt_swarm.py seed (aria2)');
    assert.deepEqual(await counts(t.hash), [1, 0, 0]);
    const aria2 = new Daemon('aria2c', 'aria2c', [...ARIA2_OPTIONS, `--dir=${t.leechDir}`, t.torrent]);
    daemons.push(aria2);
    assert.equal(await aria2.exit(60_000), 0, `${aria2.output()}\n${seeder.output()}`);
    assert.ok(readFileSync(path.join(t.leechDir, t.name)).equals(t.data), 'the downloaded bytes differ');
    // aria2c with --seed-time=0 announces `stopped` on leaving: the seeder is alone again
    assert.deepEqual(await counts(t.hash), [1, 0, 0], aria2.output());
    seeder.child.stdin?.end();
    const stopped = await seeder.event('stopped', 15_000);
    assert.ok(Number(stopped.uploaded) >= FILE_SIZE, `the seeder uploaded ${stopped.uploaded} bytes`);
  });

  it('Transmission downloads from a libtorrent seeder it meets through the UDP tracker', { skip: skipTransmission, timeout: 90_000 }, async () => {
    const t = await registered('tr');
    const { seeder } = await seed(t, 'lt_swarm.py seed (transmission)');
    const tr = await Transmission.start(path.join(work, 'tr-daemon'));
    daemons.push(tr.daemon);
    const diagnose = (): string => `${tr.daemon.output()}\n${seeder.output()}`;
    assert.equal(await tr.add(t.torrent, t.leechDir), t.hash);
    // Transmission announces (a leecher appears), but never connects to loopback peers a tracker lists:
    // the seeder's next announce lists Transmission and the seeder connects to it (docs/clients.md)
    for (const end = Date.now() + 30_000; (await counts(t.hash))[2] !== 1;) {
      if (Date.now() > end) assert.fail(`Transmission never announced over UDP: ${JSON.stringify((await tr.torrent(t.hash)).trackerStats)}\n${diagnose()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    seeder.child.stdin?.write('reannounce\n');
    const done = await tr.complete(t.hash, 30_000, diagnose);
    assert.deepEqual(done.trackerStats.map((s) => s.announce), [udpUrl], diagnose());
    assert.ok(readFileSync(path.join(t.leechDir, t.name)).equals(t.data), 'the downloaded bytes differ');
    assert.equal(await tr.close(), 0, diagnose());
    assert.deepEqual((await counts(t.hash))[0], 1, 'Transmission left with `stopped`; the seeder stays');
    seeder.child.stdin?.end();
    await seeder.event('stopped', 15_000);
  });
});

/** aria2c as a plain leecher: peers only from the tracker, quit as soon as the file is complete. */
// aria2 speaks UDP trackers only through its DHT socket ("udp is not supported yet" with DHT off):
// DHT is on, with no entry point and a fresh routing table, so it finds no peer by itself
const ARIA2_OPTIONS = [
  '--no-conf=true', '--enable-dht=true', '--dht-listen-port=7881-7999', '--dht-file-path=/dev/null', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false',
  '--seed-time=0', '--bt-tracker-connect-timeout=5', '--bt-tracker-timeout=10', '--bt-stop-timeout=50', '--stop=60',
  '--file-allocation=none', '--allow-overwrite=true', '--disable-ipv6=true', '--listen-port=6881-6999',
  '--summary-interval=0', '--console-log-level=notice',
];
