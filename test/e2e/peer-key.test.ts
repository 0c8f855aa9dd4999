// BEP 7's key with a real client: libtorrent announces with its own peer_id and key while the
// address it announces changes (announce_ip, sent as `ip=` and honoured from a trusted address,
// as a client behind a proxy or a changed IP looks to the tracker). Its peer keeps one slot.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { libtorrentPython, needs } from '../helpers/environment.js';
import { makeTorrent } from '../helpers/make-torrent.js';
import { REPO_ROOT, startTestServer, type TestServer } from '../helpers/test-server.js';

const LT_KEY = path.join(REPO_ROOT, 'test/e2e/clients/lt_key.py');
const python = libtorrentPython();
const skip = needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)');

/** The JSON lines of a child's stdout, taken one at a time. */
function jsonLines(child: ChildProcess): () => Promise<Record<string, unknown>> {
  const queue: Record<string, unknown>[] = [];
  const waiting: Array<(v: Record<string, unknown>) => void> = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const v = JSON.parse(line) as Record<string, unknown>;
    const w = waiting.shift();
    if (w !== undefined) w(v);
    else queue.push(v);
  });
  return () => new Promise((resolve, reject) => {
    const v = queue.shift();
    if (v !== undefined) return resolve(v);
    const timer = setTimeout(() => reject(new Error(`no line from lt_key.py within 30 s\n${stderr}`)), 30_000);
    waiting.push((x) => { clearTimeout(timer); resolve(x); });
    child.once('close', (code) => reject(new Error(`lt_key.py exited (${code})\n${stderr}`)));
  });
}

describe('BEP 7 key with libtorrent', { skip }, () => {
  let t: TestServer;
  let work: string;
  let child: ChildProcess | undefined;
  before(async () => {
    t = await startTestServer(databaseKinds()[0], { TRUSTED_PROXIES: '127.0.0.1' });
    work = mkdtempSync(path.join(tmpdir(), 'seedhost-key-'));
  });
  after(async () => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
    await t?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('keeps one slot for a libtorrent peer whose address changes, and drops it on stop', { timeout: 60_000 }, async () => {
    const made = makeTorrent({ announce: t.announceUrl });
    const file = path.join(work, 'k.torrent');
    writeFileSync(file, made.file);
    const reg = await t.cli(['register', file]);
    assert.equal(reg.code, 0, reg.stderr);
    for (let waited = 0; !t.server.registered.has(made.infoHash); waited += 50) {
      if (waited > 10_000) assert.fail('registration not picked up');
      await new Promise((r) => setTimeout(r, 50));
    }
    mkdirSync(path.join(work, 'save'));
    child = spawn(python as string, [LT_KEY, file, path.join(work, 'save'), '198.51.100.7'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const next = jsonLines(child);
    const where = async (): Promise<string[]> => (await t.server.store.peers(made.infoHash)).map((p) => `${p.ip} ${p.peerId.toString('latin1', 0, 3)}`);
    assert.deepEqual(await next(), { event: 'announced', ip: '198.51.100.7', replies: 1 });
    assert.deepEqual(await where(), ['198.51.100.7 -LT']);
    child.stdin?.write('move 203.0.113.9\n');
    assert.deepEqual(await next(), { event: 'announced', ip: '203.0.113.9', replies: 2 });
    assert.deepEqual(await where(), ['203.0.113.9 -LT'], 'the old address lingers: libtorrent\'s key was not honoured');
    child.stdin?.end();
    assert.deepEqual(await next(), { event: 'stopped' });
    assert.deepEqual(await where(), []);
  });
});
