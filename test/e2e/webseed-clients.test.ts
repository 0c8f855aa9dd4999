// Real BitTorrent clients download content that seedhost published (`seedhost add`): libtorrent
// (python3-libtorrent), aria2c and transmission-cli from the BEP 19 webseed alone, with nobody in
// the swarm, and a libtorrent leecher from a libtorrent seeder found through seedhost's tracker,
// with the webseed taken out of its copy of the torrent. Every download is compared byte for
// byte with the originals.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bencode from 'bencode';
import { bdecode, type BValue } from '../helpers/bdecode.js';
import { databaseKinds } from '../helpers/databases.js';
import { hasCommand, libtorrentPython, needs } from '../helpers/environment.js';
import { countServedBytes } from '../helpers/server-spies.js';
import { REPO_ROOT, startTestServer, type TestServer } from '../helpers/test-server.js';
import { freePort, waitUntil } from '../helpers/wait.js';

const LT_WEBSEED = path.join(REPO_ROOT, 'test/e2e/clients/lt_webseed.py');
const kind = databaseKinds()[0];
const python = libtorrentPython();
const skipLibtorrent = needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)');
const skipAria2 = needs(hasCommand('aria2c'), 'aria2c (apt-get install aria2)');
const skipTransmission = needs(hasCommand('transmission-cli'), 'transmission-cli (apt-get install transmission-cli)');

/** Every client is stopped after this long, whatever it is doing. */
const CLIENT_LIMIT_MS = 60_000;
const PIECE_LENGTH = 32768;
/** libtorrent requests (and reports) 16 KiB blocks. */
const BLOCK = 16384;

/** The single file: 1 MiB plus an odd tail, so the last 32 KiB piece is short. */
const SINGLE_SIZE = (1 << 20) + 12345;
/** The folder: a nested subfolder, an empty file, names with spaces, odd sizes straddling pieces. */
const FOLDER_FILES: Record<string, number> = {
  '01 intro.bin': 40_001,
  'empty.txt': 0,
  'notes.txt': 777,
  'sub/deeper/track 2.bin': 300_007,
  'sub/deeper/tiny.dat': 3,
  'sub/z-last.bin': 65_539,
};

/** A child process with its output kept (and parsed as JSON lines, for lt_webseed.py). */
class Client {
  readonly events: Record<string, unknown>[] = [];
  stdout = '';
  stderr = '';
  closed = false;
  readonly exited: Promise<number | null>;

  constructor(readonly name: string, readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      this.stdout += s;
      this.events.length = 0;
      for (const line of this.stdout.split('\n').slice(0, -1)) if (line.startsWith('{')) this.events.push(JSON.parse(line) as Record<string, unknown>);
    });
    child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.stderr += s; });
    this.exited = new Promise((resolve) => child.on('close', (code) => {
      this.closed = true;
      resolve(code);
    }));
  }

  /** The first `{"event": name}` line, if printed. */
  event(name: string): Record<string, unknown> | undefined {
    return this.events.find((e) => e.event === name);
  }

  /** Waits for exit; after `ms` kills the process and rejects with its output. */
  async exit(ms: number, diagnose: () => string = () => this.output()): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`${this.name} still running after ${ms} ms (killed):\n${diagnose()}`));
      }, ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  output(): string {
    const status = this.closed ? `exited with ${this.child.exitCode ?? this.child.signalCode}` : 'still running';
    return `--- ${this.name} (${status}) stdout ---\n${this.stdout.slice(-6000)}\n--- ${this.name} stderr ---\n${this.stderr.slice(-12000)}`;
  }
}

/** Every file under `dir` (empty ones included) by `/`-separated relative path, as size and sha1. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string): void => {
    for (const name of readdirSync(d).sort()) {
      const abs = path.join(d, name);
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      if (statSync(abs).isDirectory()) walk(abs, rel);
      else {
        const data = readFileSync(abs);
        out[rel] = `${data.length} bytes, sha1 ${createHash('sha1').update(data).digest('hex')}`;
      }
    }
  };
  walk(dir, '');
  return out;
}

interface Published {
  label: string;
  /** The original file or folder given to `seedhost add`. */
  source: string;
  /** The torrent name: the file or folder name the clients save under. */
  name: string;
  hash: string;
  torrent: string;
  totalSize: number;
}

describe('real clients and the webseed', () => {
  let ts: TestServer;
  let publicUrl: string;
  let work: string;
  const clients: Client[] = [];
  /** Bytes the webseed route read from the file store, per info_hash. */
  let served: Map<string, number>;
  const published = new Map<string, Promise<Published>>();

  const start = (name: string, cmd: string, args: string[], env: Record<string, string> = {}): Client => {
    const c = new Client(name, spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
    clients.push(c);
    return c;
  };

  /** A fresh, empty folder for one client's download. */
  const downloadDir = (label: string): string => {
    const d = path.join(work, 'downloads', `${label}-${randomBytes(3).toString('hex')}`);
    mkdirSync(d, { recursive: true });
    return d;
  };

  /** Publishes `source` once with the real command line, checks and saves its .torrent. */
  async function publish(label: string, source: string, totalSize: number): Promise<Published> {
    const r = await ts.cli(['add', source, '--piece-length', String(PIECE_LENGTH)]);
    assert.equal(r.code, 0, `seedhost add failed:\n${r.stdout}\n${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    const hash = lines[lines.length - 1];
    assert.match(hash, /^[0-9a-f]{40}$/, `the last line of seedhost add's output is not an info_hash:\n${r.stdout}`);

    const res = await fetch(`${ts.baseUrl}/torrents/${hash}.torrent`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-bittorrent');
    const bytes = Buffer.from(await res.arrayBuffer());
    const meta = bdecode(bytes) as Record<string, BValue>;
    assert.equal(String(meta.announce), `${publicUrl}/announce`);
    assert.deepEqual((meta['url-list'] as Buffer[]).map(String), [`${publicUrl}/webseed/${hash}/`]);
    const info = meta.info as Record<string, BValue>;
    const infoHash = createHash('sha1').update(bencode.encode(bencode.decode(bytes).info)).digest('hex');
    assert.equal(infoHash, hash, 'the .torrent does not hash to the info_hash seedhost add printed');
    assert.equal(info['piece length'], PIECE_LENGTH);
    assert.equal((info.pieces as Buffer).length, 20 * Math.ceil(totalSize / PIECE_LENGTH));
    const name = String(info.name);
    assert.equal(name, path.basename(source));
    const torrent = path.join(work, 'torrents', `${label}.torrent`);
    writeFileSync(torrent, bytes);

    // The server picks the CLI's new torrent up from the database within SYNC_INTERVAL (1 s);
    // until then its closed tracker would refuse the clients' announces.
    for (let waited = 0; !ts.server.registered.has(hash); waited += 50) {
      if (waited > 10_000) assert.fail(`the server did not pick up ${hash} within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { label, source, name, hash, torrent, totalSize };
  }

  /** The single file, published on first use (later tests reuse it). */
  const single = (): Promise<Published> => {
    let p = published.get('single');
    if (p === undefined) {
      const file = path.join(work, 'content', `single-${randomBytes(3).toString('hex')}.bin`);
      writeFileSync(file, randomBytes(SINGLE_SIZE));
      published.set('single', p = publish('single', file, SINGLE_SIZE));
    }
    return p;
  };

  /** The folder, published on first use. */
  const folder = (): Promise<Published> => {
    let p = published.get('folder');
    if (p === undefined) {
      const dir = path.join(work, 'content', `album-${randomBytes(3).toString('hex')}`);
      for (const [rel, size] of Object.entries(FOLDER_FILES)) {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), randomBytes(size));
      }
      const total = Object.values(FOLDER_FILES).reduce((a, b) => a + b, 0);
      published.set('folder', p = publish('folder', dir, total));
    }
    return p;
  };

  /**
   * The client saved exactly the published bytes under `dir` (and nothing else). With
   * `emptyFilesMayBeMissing`, a zero-length file the client did not create is not a difference.
   */
  function assertSameContent(t: Published, dir: string, diagnose: () => string, emptyFilesMayBeMissing = false): void {
    if (statSync(t.source).isDirectory()) {
      const got = tree(path.join(dir, t.name));
      const want = tree(t.source);
      if (emptyFilesMayBeMissing) for (const [rel, v] of Object.entries(want)) if (v.startsWith('0 bytes') && !(rel in got)) delete want[rel];
      assert.deepEqual(got, want, `the downloaded folder differs from the original\n${diagnose()}`);
    } else {
      const got = path.join(dir, t.name);
      assert.ok(existsSync(got), `${got} was not written\n${diagnose()}`);
      assert.ok(readFileSync(got).equals(readFileSync(t.source)), `the downloaded bytes differ from the original\n${diagnose()}`);
    }
    assert.deepEqual(readdirSync(dir), [t.name], `unexpected files next to the download\n${diagnose()}`);
  }

  /** Peers seedhost's tracker lists for a torrent, as `ip:port seeder|leecher`. */
  async function swarm(hash: string): Promise<string[]> {
    return (await ts.server.store.peers(hash)).map((p) => `${p.ip}:${p.port} ${p.seeder ? 'seeder' : 'leecher'}`).sort();
  }

  /** Bytes the webseed served for `hash` since the count was `before`. */
  const servedSince = (hash: string, before: number): number => (served.get(hash) ?? 0) - before;

  before(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    ts = await startTestServer(kind, { PORT: String(port), PUBLIC_URL: publicUrl });
    assert.equal(ts.baseUrl, publicUrl);
    work = mkdtempSync(path.join(tmpdir(), 'seedhost-webseed-'));
    mkdirSync(path.join(work, 'content'));
    mkdirSync(path.join(work, 'torrents'));
    served = countServedBytes(ts);
  });

  after(async () => {
    for (const c of clients) if (!c.closed) c.child.kill('SIGKILL');
    await Promise.all(clients.map((c) => c.exited));
    await ts?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  /** lt_webseed.py webseed: libtorrent alone in the swarm, the webseed its only source. */
  async function libtorrentFromWebseed(t: Published): Promise<void> {
    const dir = downloadDir(`lt-${t.label}`);
    const before = served.get(t.hash) ?? 0;
    const lt = start(`lt_webseed.py webseed ${t.label}`, python as string, ['-X', 'faulthandler', LT_WEBSEED, 'webseed', t.torrent, dir], { SEEDHOST_LT_TIMEOUT: String(CLIENT_LIMIT_MS / 1000 - 5) });
    const diagnose = (): string => lt.output();
    assert.equal(await lt.exit(CLIENT_LIMIT_MS), 0, diagnose());
    const leeching = lt.event('leeching');
    assert.deepEqual(leeching?.web_seeds, [`${publicUrl}/webseed/${t.hash}/`], diagnose());
    const done = lt.event('finished');
    assert.ok(done !== undefined, diagnose());
    assert.deepEqual(done.url_seed_errors, [], diagnose());
    // Every block came from seedhost's address (the webseed), enough of them for the whole torrent.
    assert.deepEqual(Object.keys(done.sources as Record<string, number>), [`127.0.0.1:${new URL(publicUrl).port}`], diagnose());
    assert.ok(Object.values(done.sources as Record<string, number>)[0] >= Math.ceil(t.totalSize / BLOCK), diagnose());
    assert.equal(done.downloaded, t.totalSize, diagnose());
    assert.ok(servedSince(t.hash, before) >= t.totalSize, `the webseed served ${servedSince(t.hash, before)} bytes\n${diagnose()}`);
    assertSameContent(t, dir, diagnose);
    // libtorrent announced event=stopped on the way out (the script waits for the answers), and
    // seedhost no longer lists it (waited for a moment: on Redis the removal is written by the
    // store's next batch)
    assert.ok((done.stopped_answered_by as string[]).includes(`${publicUrl}/announce`), diagnose());
    const listed = async (): Promise<boolean> => (await swarm(t.hash)).some((p) => p.startsWith(`127.0.0.1:${leeching?.port} `));
    assert.ok(await waitUntil(async () => !(await listed()), 3000), `${await swarm(t.hash)}\n${diagnose()}`);
  }

  it('libtorrent downloads a published file from the webseed alone', { skip: skipLibtorrent, timeout: 90_000 }, async () => {
    await libtorrentFromWebseed(await single());
  });

  it('libtorrent downloads a published folder from the webseed alone', { skip: skipLibtorrent, timeout: 90_000 }, async () => {
    await libtorrentFromWebseed(await folder());
  });

  /** aria2c with no DHT, LPD or PEX: the tracker lists nobody, so the url-list is its only source. */
  async function aria2FromWebseed(t: Published): Promise<void> {
    const dir = downloadDir(`aria2-${t.label}`);
    const log = path.join(work, `aria2-${t.label}-${randomBytes(3).toString('hex')}.log`);
    const before = served.get(t.hash) ?? 0;
    const aria2 = start(`aria2c ${t.label}`, 'aria2c', [...ARIA2_OPTIONS, `--log=${log}`, `--dir=${dir}`, t.torrent]);
    const diagnose = (): string => `${aria2.output()}\n--- aria2.log (tail, without piece traffic) ---\n${aria2Log(log)}`;
    assert.equal(await aria2.exit(CLIENT_LIMIT_MS, diagnose), 0, diagnose());
    assert.ok(servedSince(t.hash, before) >= t.totalSize, `the webseed served ${servedSince(t.hash, before)} bytes\n${diagnose()}`);
    // aria2c never opened a BitTorrent connection: every byte came over HTTP from the webseed.
    assert.doesNotMatch(readFileSync(log, 'utf8'), /Connecting to the peer/, diagnose());
    assertSameContent(t, dir, diagnose);
  }

  it('aria2c downloads a published file from the webseed alone', { skip: skipAria2, timeout: 90_000 }, async () => {
    await aria2FromWebseed(await single());
  });

  it('aria2c downloads a published folder from the webseed alone', { skip: skipAria2, timeout: 90_000 }, async () => {
    await aria2FromWebseed(await folder());
  });

  /**
   * transmission-cli never exits by itself: a --finish script writes a marker when the torrent is
   * complete, then SIGINT makes it close the torrent (flushing its files) and exit.
   */
  async function transmissionFromWebseed(t: Published): Promise<void> {
    const dir = downloadDir(`transmission-${t.label}`);
    const config = mkdtempSync(path.join(work, 'transmission-config-'));
    const marker = path.join(config, 'finished');
    const finish = path.join(config, 'finish.sh');
    writeFileSync(finish, `#!/bin/sh\necho "$TR_TORRENT_NAME" > '${marker}'\n`, { mode: 0o755 });
    writeFileSync(path.join(config, 'settings.json'), JSON.stringify({
      'dht-enabled': false, 'lpd-enabled': false, 'pex-enabled': false, 'utp-enabled': false,
      'port-forwarding-enabled': false, 'bind-address-ipv4': '127.0.0.1', 'bind-address-ipv6': '::1',
      'rename-partial-files': false, 'incomplete-dir-enabled': false, 'start-added-torrents': true,
      'message-level': 3,
    }));
    const before = served.get(t.hash) ?? 0;
    const tr = start(`transmission-cli ${t.label}`, 'transmission-cli', ['-g', config, '-w', dir, '-M', '-p', String(await freePort()), '-f', finish, t.torrent]);
    const diagnose = (): string => tr.output();
    for (let waited = 0; !existsSync(marker); waited += 100) {
      if (tr.closed) assert.fail(`transmission-cli exited before finishing\n${diagnose()}`);
      if (waited > CLIENT_LIMIT_MS) {
        tr.child.kill('SIGKILL');
        assert.fail(`transmission-cli did not finish within ${CLIENT_LIMIT_MS} ms\n${diagnose()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    tr.child.kill('SIGINT');
    assert.equal(await tr.exit(15_000, diagnose), 0, diagnose());
    assert.ok(servedSince(t.hash, before) >= t.totalSize, `the webseed served ${servedSince(t.hash, before)} bytes\n${diagnose()}`);
    // No BitTorrent peer sent it anything ("dl from 0 of 0 peers" throughout; webseeds are not counted there).
    assert.doesNotMatch(tr.stdout, /dl from [1-9]/, diagnose());
    // transmission 3.00 does not create a torrent's zero-length files (it creates a file when it
    // first writes to it), so the folder's empty.txt may be absent.
    assertSameContent(t, dir, diagnose, true);
  }

  it('transmission-cli downloads a published file from the webseed alone', { skip: skipTransmission, timeout: 90_000 }, async () => {
    await transmissionFromWebseed(await single());
  });

  it('transmission-cli downloads a published folder from the webseed alone', { skip: skipTransmission, timeout: 90_000 }, async () => {
    await transmissionFromWebseed(await folder());
  });

  it('a libtorrent leecher without the webseed downloads a published folder from a libtorrent seeder found through the tracker', { skip: skipLibtorrent, timeout: 90_000 }, async () => {
    const t = await folder();
    const dir = downloadDir('lt-swarm');
    const before = served.get(t.hash) ?? 0;
    // The seeder's save path is the original folder's parent, so it starts complete.
    const lt = start('lt_webseed.py swarm', python as string, ['-X', 'faulthandler', LT_WEBSEED, 'swarm', t.torrent, path.dirname(t.source), dir], { SEEDHOST_LT_TIMEOUT: String(CLIENT_LIMIT_MS / 1000 - 5) });
    const diagnose = (): string => lt.output();
    assert.equal(await lt.exit(CLIENT_LIMIT_MS), 0, diagnose());
    const seeding = lt.event('seeding');
    const leeching = lt.event('leeching');
    const done = lt.event('finished');
    assert.ok(seeding !== undefined && leeching !== undefined && done !== undefined, diagnose());
    // The leecher's copy of the torrent had no url-list; the tracker's first reply listed the
    // seeder (and possibly earlier clients that are gone), and the seeder delivered every block.
    assert.deepEqual(leeching.web_seeds, [], diagnose());
    assert.ok(Number(done.first_reply_peers) >= 1, diagnose());
    const sources = done.sources as Record<string, number>;
    assert.deepEqual(Object.keys(sources), [`127.0.0.1:${seeding.port}`], diagnose());
    assert.ok(sources[`127.0.0.1:${seeding.port}`] >= Math.ceil(t.totalSize / BLOCK), diagnose());
    assert.equal(done.downloaded, t.totalSize, diagnose());
    assert.equal(servedSince(t.hash, before), 0, `the webseed served bytes during the swarm test\n${diagnose()}`);
    assertSameContent(t, dir, diagnose);
  });
});

/** aria2c with no config file, no DHT/LPD/PEX: peers only from the tracker; quits once complete. */
const ARIA2_OPTIONS = [
  '--no-conf=true', '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false',
  '--seed-time=0', '--bt-tracker-connect-timeout=5', '--bt-tracker-timeout=10', '--bt-stop-timeout=50', '--stop=60',
  '--file-allocation=none', '--allow-overwrite=true', '--disable-ipv6=true', '--listen-port=6881-6999',
  '--summary-interval=0', '--console-log-level=notice', '--log-level=info',
];

/** The tail of aria2c's log without the per-piece chatter, for failure messages. */
function aria2Log(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => !/piece|request index|allowed fast| have |Received|Sent /i.test(l)).slice(-80).join('\n');
  } catch {
    return '(no log)';
  }
}
