// Transmission (Debian's transmission-daemon 3.00, over its RPC) and qBittorrent (qbittorrent-nox
// 4.5, over its Web API) download content that seedhost published:
// - Transmission from the magnet link the API gives, with one libtorrent seeder in the swarm: the
//   metadata can only come from a peer, and the only way the two meet is seedhost's announce
//   replies. Transmission announces left=2^63-1 until it has the metadata (issue 14, item 1).
// - Transmission and qBittorrent from the .torrent URL with nobody in the swarm: the webseed is
//   their only source.
// Every download is compared byte for byte with the original.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PeerAnnounce } from '../../server/tracker/peer-store.js';
import { Daemon } from '../helpers/daemon.js';
import { databaseKinds } from '../helpers/databases.js';
import { hasCommand, libtorrentPython, needs } from '../helpers/environment.js';
import { addViaCli } from '../helpers/publish.js';
import { QBittorrent } from '../helpers/qbittorrent.js';
import { countServedBytes, recordAnnounces } from '../helpers/server-spies.js';
import { REPO_ROOT, startTestServer, type TestServer } from '../helpers/test-server.js';
import { Transmission } from '../helpers/transmission.js';
import { freePort } from '../helpers/wait.js';

const LT_SWARM = path.join(REPO_ROOT, 'test/e2e/clients/lt_swarm.py');
const kind = databaseKinds()[0];
const python = libtorrentPython();
const skipTransmission = needs(hasCommand('transmission-daemon'), 'transmission-daemon (apt-get install transmission-daemon)');
const skipMagnet = skipTransmission || needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)');
const skipQb = needs(hasCommand('qbittorrent-nox'), 'qbittorrent-nox (apt-get install qbittorrent-nox)');

/** How long a client may take to finish once started (each takes a few seconds here). */
const CLIENT_LIMIT_MS = 30_000;
const PIECE_LENGTH = 65536;
/** 1.5 MiB plus an odd tail, so the last piece is short. */
const FILE_SIZE = 3 * (1 << 19) + 4321;

interface Published {
  hash: string;
  /** The original file or folder given to `seedhost add`. */
  source: string;
  name: string;
  size: number;
  magnetUri: string;
  torrentUrl: string;
}

describe('Transmission and qBittorrent against seedhost', () => {
  let ts: TestServer;
  let publicUrl: string;
  let work: string;
  const daemons: Daemon[] = [];
  /** Bytes the webseed route read from the file store, per info_hash. */
  let served: Map<string, number>;
  /** Every announce the tracker accepted, in order. */
  let announces: PeerAnnounce[];

  before(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    ts = await startTestServer(kind, { PORT: String(port), PUBLIC_URL: publicUrl });
    work = mkdtempSync(path.join(tmpdir(), 'seedhost-daemons-'));
    served = countServedBytes(ts);
    announces = recordAnnounces(ts);
  });

  after(async () => {
    await Promise.all(daemons.map((d) => d.kill()));
    await ts?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  /** Publishes a fresh random file (or folder of `files`) with the real command line; reads its links from GraphQL. */
  async function publish(label: string, files?: Record<string, number>): Promise<Published> {
    const name = `${label}-${randomBytes(3).toString('hex')}${files === undefined ? '.bin' : ''}`;
    const source = path.join(work, 'content', name);
    let size = 0;
    for (const [rel, n] of Object.entries(files ?? { '': FILE_SIZE })) {
      const file = path.join(source, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, randomBytes(n));
      size += n;
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
    return { hash, source, name, size, ...data.torrent };
  }

  const downloadDir = (label: string): string => mkdtempSync(path.join(work, `${label}-downloads-`));
  const servedSince = (hash: string, before: number): number => (served.get(hash) ?? 0) - before;
  /** The ports that announced `hash` (every client here is on 127.0.0.1). */
  const announcers = (hash: string): number[] => [...new Set(announces.filter((a) => a.infoHash === hash).map((a) => a.port))];

  /** The client saved exactly the published bytes under `dir`, and nothing else. */
  function assertSameBytes(p: Published, dir: string, diagnose: () => string): void {
    assert.deepEqual(readdirSync(dir), [p.name], `unexpected files in the download folder\n${diagnose()}`);
    const rels = readdirTree(p.source);
    assert.deepEqual(readdirTree(path.join(dir, p.name)), rels, `the downloaded tree differs\n${diagnose()}`);
    for (const rel of rels) {
      assert.ok(readFileSync(path.join(dir, p.name, rel)).equals(readFileSync(path.join(p.source, rel))), `${rel}: the downloaded bytes differ\n${diagnose()}`);
    }
  }

  it('Transmission starts from the magnet link and gets metadata and content from a libtorrent seeder it meets through the tracker', { skip: skipMagnet, timeout: 90_000 }, async () => {
    const p = await publish('tr-magnet');
    const magnet = new URL(p.magnetUri);
    assert.equal(magnet.searchParams.get('xs'), p.torrentUrl);
    const torrentFile = path.join(work, `${p.hash}.torrent`);
    writeFileSync(torrentFile, Buffer.from(await (await fetch(p.torrentUrl)).arrayBuffer()));
    const seeder = new Daemon('lt_swarm.py seed', python as string, [LT_SWARM, 'seed', torrentFile, path.dirname(p.source)], { stdin: true });
    daemons.push(seeder);
    const seeding = await seeder.event('seeding', 30_000);

    const tr = await Transmission.start(path.join(work, 'tr-magnet'));
    daemons.push(tr.daemon);
    const dir = downloadDir('tr-magnet');
    const diagnose = (): string => `${tr.daemon.output()}\n${seeder.output()}\nannounces: ${JSON.stringify(announces.filter((a) => a.infoHash === p.hash).map((a) => [a.port, a.left, a.event]))}`;
    const hash = await tr.add(p.magnetUri, dir);
    assert.equal(hash, p.hash);

    // Transmission's first announce, before it has the metadata, says left=2^63-1: seedhost keeps
    // it (saturated at 2^53-1) as a leecher instead of refusing it.
    const first = (): PeerAnnounce | undefined => announces.find((a) => a.infoHash === p.hash && a.port === tr.peerPort);
    for (const end = Date.now() + CLIENT_LIMIT_MS; first() === undefined;) {
      if (Date.now() > end) assert.fail(`seedhost never accepted an announce from Transmission: ${JSON.stringify((await tr.torrent(hash)).trackerStats)}\n${diagnose()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual([first()?.left, first()?.event], [Number.MAX_SAFE_INTEGER, 'started'], diagnose());
    const listed = (await ts.server.store.peers(p.hash)).find((x) => x.port === tr.peerPort);
    assert.equal(listed?.seeder, false, diagnose());

    // Transmission does not connect to loopback peers a tracker lists; the seeder connects to it
    // once its next announce reply lists Transmission.
    seeder.child.stdin?.write('reannounce\n');
    await seeder.event('announced', 15_000);
    const done = await tr.complete(hash, CLIENT_LIMIT_MS, diagnose);
    assert.equal(done.name, p.name, diagnose());
    // the magnet's tr= in order: the UDP tracker (on PORT's number) first, then HTTP
    assert.deepEqual(done.trackerStats.map((s) => s.announce), [`${publicUrl.replace(/^http:/, 'udp:')}/announce`, `${publicUrl}/announce`], diagnose());

    assert.equal(await tr.close(), 0, diagnose());
    seeder.child.stdin?.end();
    const stopped = await seeder.event('stopped', 15_000);
    assert.equal(await seeder.exit(15_000), 0, diagnose());
    assert.ok((stopped.outgoing as string[]).includes(`127.0.0.1:${tr.peerPort}`), `the seeder never connected to Transmission\n${diagnose()}`);
    assert.deepEqual(announcers(p.hash).sort(), [Number(seeding.port), tr.peerPort].sort(), diagnose());
    assertSameBytes(p, dir, diagnose);
  });

  it('Transmission downloads the .torrent URL from the webseed alone', { skip: skipTransmission, timeout: 90_000 }, async () => {
    const p = await publish('tr-webseed');
    const before = served.get(p.hash) ?? 0;
    const tr = await Transmission.start(path.join(work, 'tr-webseed'));
    daemons.push(tr.daemon);
    const dir = downloadDir('tr-webseed');
    const diagnose = (): string => tr.daemon.output();
    assert.equal(await tr.add(p.torrentUrl, dir), p.hash);
    const done = await tr.complete(p.hash, CLIENT_LIMIT_MS, diagnose);
    // Nobody else was in the swarm: every byte came from the webseed.
    assert.deepEqual(announcers(p.hash), [tr.peerPort], diagnose());
    assert.deepEqual(done.peers, [], diagnose());
    assert.ok(servedSince(p.hash, before) >= p.size, `the webseed served ${servedSince(p.hash, before)} bytes\n${diagnose()}`);
    assert.equal(await tr.close(), 0, diagnose());
    assertSameBytes(p, dir, diagnose);
  });

  it('qBittorrent downloads the .torrent URL (a folder) from the webseed alone', { skip: skipQb, timeout: 90_000 }, async () => {
    const p = await publish('qb-webseed', { 'a.bin': 300_007, 'sub/deeper/b.bin': FILE_SIZE, 'sub/c.txt': 777 });
    const before = served.get(p.hash) ?? 0;
    const qb = await QBittorrent.start(path.join(work, 'qb-webseed'));
    daemons.push(qb.daemon);
    const dir = downloadDir('qb-webseed');
    const diagnose = (): string => qb.daemon.output();
    await qb.add(p.torrentUrl, dir);
    await qb.complete(p.hash, CLIENT_LIMIT_MS, diagnose);
    assert.deepEqual(await qb.webseeds(p.hash), [`${publicUrl}/webseed/${p.hash}/`], diagnose());
    assert.deepEqual(await qb.peers(p.hash), [], diagnose());
    assert.equal(announcers(p.hash).length, 1, `more than one client announced: ${JSON.stringify(announcers(p.hash))}\n${diagnose()}`);
    assert.ok(servedSince(p.hash, before) >= p.size, `the webseed served ${servedSince(p.hash, before)} bytes\n${diagnose()}`);
    assert.equal(await qb.close(), 0, diagnose());
    assertSameBytes(p, dir, diagnose);
  });
});

/** Every file under `root` by `/`-separated relative path, sorted ('' for a single file). */
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
