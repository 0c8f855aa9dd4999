// Real BitTorrent clients against a running seedhost: Debian's mktorrent makes the .torrent, the
// seedhost command line registers it, and libtorrent (python3-libtorrent) / aria2c peers find each
// other only through the tracker's announce replies and move the whole file between them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { databaseKinds } from '../helpers/databases.js';
import { hasCommand, libtorrentPython, needs } from '../helpers/environment.js';
import { REPO_ROOT, startTestServer, type TestServer } from '../helpers/test-server.js';
import { scrape } from '../helpers/tracker-client.js';

const run = promisify(execFile);
const LT_SWARM = path.join(REPO_ROOT, 'test/e2e/clients/lt_swarm.py');
const INSTALL = 'apt-get install python3-libtorrent mktorrent aria2';
const kind = databaseKinds()[0];
const python = libtorrentPython();
const skipLibtorrent = needs(python !== null && hasCommand('mktorrent'), `python3-libtorrent and mktorrent (${INSTALL})`);
const skipAria2 = skipLibtorrent || needs(hasCommand('aria2c'), `aria2c (${INSTALL})`);

/** A client process whose stdout is one JSON object per line (lt_swarm.py) or plain text (aria2c). */
class Client {
  readonly events: Record<string, unknown>[] = [];
  stdout = '';
  stderr = '';
  /** Set once the process exited and its output streams are drained. */
  closed = false;
  readonly exited: Promise<number | null>;
  private waiters: Array<() => void> = [];

  constructor(readonly name: string, readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      this.stdout += s;
      const lines = this.stdout.split('\n').slice(0, -1);
      this.events.length = 0;
      for (const line of lines) if (line.startsWith('{')) this.events.push(JSON.parse(line) as Record<string, unknown>);
      this.wake();
    });
    child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.stderr += s; });
    this.exited = new Promise((resolve) => child.on('close', (code) => {
      this.closed = true;
      this.wake();
      resolve(code);
    }));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first `{"event": name}` line; rejects if the process exits or `ms` passes first. */
  async event(name: string, ms: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const e = this.events.find((x) => x.event === name);
      if (e !== undefined) return e;
      if (this.closed) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before '${name}':\n${this.output()}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no '${name}' within ${ms} ms:\n${this.output()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** Waits for exit; rejects (with the output) after `ms`. */
  async exit(ms: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${this.name} still running after ${ms} ms:\n${this.output()}`)), ms); });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  output(): string {
    return `--- ${this.name} stdout ---\n${this.stdout}\n--- ${this.name} stderr ---\n${this.stderr}`;
  }
}

describe('real BitTorrent clients', { skip: skipLibtorrent }, () => {
  let ts: TestServer;
  let work: string;
  const clients: Client[] = [];

  /** Spawns a client, remembered so `after` can kill it if a test fails halfway. */
  const start = (name: string, cmd: string, args: string[]): Client => {
    const c = new Client(name, spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    clients.push(c);
    return c;
  };

  /** A random file (odd size, so the last piece is short), its mktorrent .torrent, registered via the CLI. */
  async function registeredTorrent(label: string): Promise<{ data: Buffer; name: string; torrent: string; hash: string; seedDir: string; leechDir: string }> {
    const dir = path.join(work, label);
    const seedDir = path.join(dir, 'seed');
    const leechDir = path.join(dir, 'leech');
    mkdirSync(seedDir, { recursive: true });
    mkdirSync(leechDir);
    const name = `${label}-${randomBytes(3).toString('hex')}.bin`;
    const data = randomBytes(FILE_SIZE);
    writeFileSync(path.join(seedDir, name), data);
    const torrent = path.join(dir, `${label}.torrent`);
    await run('mktorrent', ['-a', ts.announceUrl, '-l', '15', '-o', torrent, name], { cwd: seedDir });
    const reg = await ts.cli(['register', torrent]);
    assert.equal(reg.code, 0, reg.stderr);
    const hash = reg.stdout.trim();
    assert.match(hash, /^[0-9a-f]{40}$/);
    for (let waited = 0; !ts.server.registered.has(hash); waited += 50) {
      if (waited > 10_000) assert.fail(`the server did not pick up the registration of ${hash} within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { data, name, torrent, hash, seedDir, leechDir };
  }

  before(async () => {
    ts = await startTestServer(kind);
    work = mkdtempSync(path.join(tmpdir(), 'seedhost-clients-'));
  });

  after(async () => {
    for (const c of clients) if (!c.closed) c.child.kill('SIGKILL');
    await Promise.all(clients.map((c) => c.exited));
    await ts?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('a libtorrent leecher downloads the whole file from a libtorrent seeder found through the tracker', { timeout: 90_000 }, async () => {
    const t = await registeredTorrent('lt');
    const lt = start('lt_swarm.py swarm', python as string, [LT_SWARM, 'swarm', t.torrent, t.seedDir, t.leechDir]);
    const done = await lt.event('finished', 70_000);
    // The tracker's reply to the leecher's first announce listed the seeder, and the leecher
    // connected out to it (DHT and LSD are off and the seeder never re-announced, so that list
    // was the leecher's only source of peers).
    assert.equal(done.first_reply_peers, 1, lt.output());
    assert.deepEqual(done.outgoing, [`127.0.0.1:${done.seeder_port}`], lt.output());

    // Both sessions are still up: seedhost lists exactly these two peers, both complete now,
    // and counted the leecher's `completed` announce once.
    const peers = await ts.server.store.peers(t.hash);
    assert.deepEqual(peers.map((p) => `${p.ip}:${p.port}`).sort(), [`127.0.0.1:${done.seeder_port}`, `127.0.0.1:${done.leecher_port}`].sort());
    assert.ok(peers.every((p) => p.seeder && p.left === 0), JSON.stringify(peers));
    assert.deepEqual((await scrape(`${ts.baseUrl}/scrape`, [t.hash]))[t.hash], { complete: 2, incomplete: 0, downloaded: 1 });

    lt.child.stdin?.end();
    assert.equal(await lt.exit(15_000), 0, lt.output());
    assert.ok(readFileSync(path.join(t.leechDir, t.name)).equals(t.data), 'the downloaded bytes differ from the original');
  });

  it('aria2c downloads the whole file from a libtorrent seeder it learns about from the tracker', { skip: skipAria2, timeout: 90_000 }, async () => {
    const t = await registeredTorrent('aria2');
    const seeder = start('lt_swarm.py seed', python as string, [LT_SWARM, 'seed', t.torrent, t.seedDir]);
    const seeding = await seeder.event('seeding', 30_000);

    // Watch seedhost's swarm while aria2c runs: aria2c appears as a leecher, then leaves.
    const seen = new Set<string>();
    const watch = setInterval(() => {
      void Promise.resolve(ts.server.store.peers(t.hash)).then((ps) => { for (const p of ps) seen.add(`${p.ip}:${p.port} ${p.seeder ? 'seeder' : 'leecher'}`); });
    }, 25);
    const log = path.join(t.leechDir, '..', 'aria2.log');
    const aria2 = start('aria2c', 'aria2c', [...ARIA2_OPTIONS, `--log=${log}`, `--dir=${t.leechDir}`, t.torrent]);
    const code = await aria2.exit(60_000).finally(() => clearInterval(watch));
    const diagnose = (): string => `${aria2.output()}\n--- aria2.log (without piece traffic) ---\n${aria2Log(log)}\n${seeder.output()}`;
    assert.equal(code, 0, diagnose());
    assert.ok(readFileSync(path.join(t.leechDir, t.name)).equals(t.data), 'the downloaded bytes differ from the original');

    // seedhost handed the libtorrent seeder to aria2c (its only possible source) and listed aria2c as a leecher.
    const aria2Port = /IPv4 BitTorrent: listening on TCP port (\d+)/.exec(aria2.stdout)?.[1];
    assert.ok(aria2Port !== undefined, diagnose());
    assert.deepEqual([...seen].sort(), [`127.0.0.1:${aria2Port} leecher`, `127.0.0.1:${seeding.port} seeder`].sort(), diagnose());
    seeder.child.stdin?.end();
    const stopped = await seeder.event('stopped', 15_000);
    assert.ok(Number(stopped.uploaded) >= FILE_SIZE, `the seeder uploaded ${stopped.uploaded} bytes\n${diagnose()}`);
    assert.equal(await seeder.exit(15_000), 0, seeder.output());
    // aria2c with --seed-time=0 goes straight to event=stopped (left=0), never sending
    // event=completed, so seedhost's completed counter is not checked here.
  });
});

/** 1 MiB plus an odd tail: 31 pieces of 32 KiB (mktorrent -l 15), the last one short. */
const FILE_SIZE = (1 << 20) + 12345;

/** aria2c as a plain leecher: no config file, peers only from the tracker, quit as soon as the file is complete. */
const ARIA2_OPTIONS = [
  '--no-conf=true', '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false',
  '--seed-time=0', '--bt-tracker-connect-timeout=5', '--bt-tracker-timeout=10', '--bt-stop-timeout=50', '--stop=60',
  '--file-allocation=none', '--allow-overwrite=true', '--disable-ipv6=true', '--listen-port=6881-6999',
  '--summary-interval=0', '--console-log-level=notice', '--log-level=info',
];

/** aria2c's log without the per-piece chatter, for failure messages. */
function aria2Log(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => !/piece|request index|allowed fast| have |Received|Sent /i.test(l)).slice(-80).join('\n');
  } catch {
    return '(no log)';
  }
}
