// `seedhost add` on its own, before any server ran: the first command creates and migrates the
// database (through TypeORM); later ones write their rows in plain SQL (db/direct/). A server
// started afterwards on that database and DATA_DIR serves what both published.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { openSqlClient } from '../../server/db/direct/sql-client.js';
import { createLogger } from '../../server/logger.js';
import { startServer } from '../../server/main.js';
import { findTopLevelValue } from '../../server/torrent/bencode-span.js';
import { runCli } from '../helpers/cli.js';
import { databaseKinds, type TestDatabase } from '../helpers/databases.js';
import { hasCommand, needs } from '../helpers/environment.js';
import { memoryLogger } from '../helpers/memory-logger.js';
import { writeTree } from '../helpers/publish.js';
import { httpGet } from '../helpers/tracker-client.js';

const lastLine = (s: string): string => s.trim().split('\n').pop() as string;
/** The .torrent stored for `infoHash`, read in plain SQL. */
async function storedTorrent(url: string, infoHash: string): Promise<Buffer> {
  const db = await openSqlClient(url);
  if (db === null) throw new Error('no database');
  try {
    const [row] = await db.query<{ metainfo: Uint8Array }>('SELECT metainfo FROM torrents WHERE info_hash = ?', [infoHash]);
    return Buffer.from(row.metainfo);
  } finally {
    await db.close();
  }
}
const infoOf = (torrent: Buffer): Buffer => {
  const span = findTopLevelValue(torrent, 'info');
  if (span === null) throw new Error('no info');
  return torrent.subarray(span[0], span[1]);
};

for (const kind of databaseKinds()) {
  describe(`seedhost add before any server (${kind.name})`, () => {
    let db: TestDatabase;
    let dir: string;
    let env: Record<string, string>;
    const cli = (...args: string[]) => runCli(env, dir, args);
    before(async () => {
      db = await kind.create();
      dir = mkdtempSync(path.join(tmpdir(), 'seedhost-cli-add-'));
      env = { DATA_DIR: path.join(dir, 'data'), DATABASE_URL: db.url, LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1:1', REDIS_URL: '' };
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    });

    it('publishes into a new database, then into the existing one, refuses a duplicate, and a server serves both', async () => {
      const one = randomBytes(70_001);
      writeTree(path.join(dir, 'src'), { 'one.bin': one, 'folder/a/x.txt': Buffer.from('x'), 'folder/b.bin': randomBytes(40_000), 'folder/empty': Buffer.alloc(0) });
      const first = await cli('add', path.join(dir, 'src/one.bin'), '--description', 'first');
      assert.equal(first.code, 0, first.stderr);
      const second = await cli('add', path.join(dir, 'src/folder'));
      assert.equal(second.code, 0, second.stderr);
      const [h1, h2] = [lastLine(first.stdout), lastLine(second.stdout)];
      assert.match(h1, /^[0-9a-f]{40}$/);
      assert.match(h2, /^[0-9a-f]{40}$/);

      const dup = await cli('add', path.join(dir, 'src/one.bin'));
      assert.equal(dup.code, 1);
      assert.match(dup.stderr, new RegExp(`torrent ${h1} is already registered`));
      assert.deepEqual(readdirSync(path.join(dir, 'data/tmp')), [], 'no staging left');
      assert.ok(readFileSync(path.join(dir, 'data/content', h1, 'one.bin')).equals(one), 'the original content is intact');

      const list = await cli('list');
      assert.equal(list.code, 0, list.stderr);
      const lines = list.stdout.trim().split('\n');
      assert.equal(lines.length, 2);
      assert.ok(lines.some((l) => l.startsWith(h1) && l.endsWith('one.bin')));
      assert.ok(lines.some((l) => l.startsWith(h2) && l.endsWith('folder')));

      const server = await startServer(loadConfig({ ...env, PORT: '0', HOST: '127.0.0.1' }), createLogger('warn'));
      try {
        const base = `http://127.0.0.1:${server.port}`;
        assert.ok(server.registered.has(h1) && server.registered.has(h2));
        const got = await httpGet(`${base}/webseed/${h1}/one.bin`);
        assert.equal(got.status, 200);
        assert.ok(got.body.equals(one));
        assert.equal((await httpGet(`${base}/webseed/${h2}/folder/a/x.txt`)).body.toString(), 'x');
        const torrent = await httpGet(`${base}/torrents/${h2}.torrent`);
        assert.equal(torrent.status, 200);
        const gql = await httpGet(`${base}/graphql`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `{ torrent(infoHash: "${h1}") { description files { path size } } }` }),
        });
        assert.deepEqual(JSON.parse(gql.body.toString()).data.torrent, { description: 'first', files: [{ path: 'one.bin', size: 70_001 }] });
      } finally {
        await server.close();
      }
    });

    it('refuses to write a PUBLIC_URL other than the one the server recorded at its start, unless asked, keeping nothing', async () => {
      const logs = memoryLogger('warn');
      const server = await startServer(loadConfig({ ...env, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://seed.example:9000' }), logs.logger);
      try {
        assert.deepEqual(logs.lines.filter((l) => l.before !== undefined).map((l) => [l.level, l.before, l.publicUrl]), [[40, 'http://127.0.0.1:1', 'http://seed.example:9000']]);
        writeTree(path.join(dir, 'src2'), { 'two.bin': randomBytes(50_000) });
        const src = path.join(dir, 'src2/two.bin');
        const refused = await cli('add', src);
        assert.equal(refused.code, 1);
        assert.equal(refused.stdout, '');
        assert.equal(refused.stderr, 'seedhost: add: refused: this command would write PUBLIC_URL http://127.0.0.1:1 into the torrent, but the server on this database writes '
          + 'http://seed.example:9000. Run seedhost with the server\'s settings (PUBLIC_URL, or PORT; its .env is read from the working folder), '
          + 'or add --allow-public-url-change to write http://127.0.0.1:1 anyway\n');
        assert.deepEqual(readdirSync(path.join(dir, 'data/tmp')), [], 'nothing staged');
        assert.equal((await cli('list')).stdout.trim().split('\n').length, 2, 'nothing registered');

        const same = await runCli({ ...env, PUBLIC_URL: 'http://SEED.example:9000/' }, dir, ['add', src]);
        assert.equal(same.code, 0, same.stderr);
        assert.equal(same.stderr, '');
        const forced = await cli('add', src, '--name', 'forced.bin', '--allow-public-url-change');
        assert.equal(forced.code, 0, forced.stderr);
        assert.match(forced.stderr, /^seedhost: warning: this command would write PUBLIC_URL http:\/\/127\.0\.0\.1:1 .* writing http:\/\/127\.0\.0\.1:1 as --allow-public-url-change asks\n$/);
        assert.match(forced.stdout, /^http:\/\/127\.0\.0\.1:1\/torrents\/[0-9a-f]{40}\.torrent$/m);
      } finally {
        await server.close();
      }
    });
  });

  describe(`seedhost add on a database no server has started on (${kind.name})`, () => {
    let db: TestDatabase;
    let dir: string;
    before(async () => {
      db = await kind.create();
      dir = mkdtempSync(path.join(tmpdir(), 'seedhost-cli-url-'));
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    });
    const cli = (publicUrl: string, ...args: string[]) =>
      runCli({ DATA_DIR: path.join(dir, 'data'), DATABASE_URL: db.url, LOG_LEVEL: 'warn', PUBLIC_URL: publicUrl, REDIS_URL: '' }, dir, args);

    it('checks PUBLIC_URL against the newest hosted torrent\'s announce', async () => {
      writeTree(path.join(dir, 'src'), { 'a.bin': randomBytes(3000), 'b.bin': randomBytes(3000) });
      const first = await cli('http://first.example', 'add', path.join(dir, 'src/a.bin'));
      assert.equal(first.code, 0, first.stderr);
      const other = await cli('http://second.example', 'add', path.join(dir, 'src/b.bin'));
      assert.equal(other.code, 1);
      assert.match(other.stderr, /^seedhost: add: refused: this command would write PUBLIC_URL http:\/\/second\.example into the torrent, but the newest torrent published on this database was written with http:\/\/first\.example\. /);
      assert.equal((await cli('http://first.example', 'add', path.join(dir, 'src/b.bin'))).code, 0);
    });

    it('picks 256 KiB pieces by default for a few MiB: the info dict mktorrent writes with its defaults', { skip: needs(hasCommand('mktorrent'), 'mktorrent (apt-get install mktorrent)') }, async () => {
      const src = path.join(writeTree(path.join(dir, 'mk'), { 'three.bin': randomBytes(3 * 1024 * 1024 + 12345) }), 'three.bin');
      const r = await cli('http://first.example', 'add', src);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^three\.bin {2}3\.0 MiB {2}13 pieces of 256\.0 KiB$/m);
      execFileSync('mktorrent', ['-a', 'http://x/announce', '-o', `${src}.torrent`, src], { stdio: 'ignore' });
      assert.ok(infoOf(await storedTorrent(db.url, lastLine(r.stdout))).equals(infoOf(readFileSync(`${src}.torrent`))), 'info dict differs from mktorrent\'s');
    });
  });
}
