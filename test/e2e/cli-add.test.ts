// `seedhost add` on its own, before any server ran: the first command creates and migrates the
// database (through TypeORM); later ones write their rows in plain SQL (db/direct/). A server
// started afterwards on that database and DATA_DIR serves what both published.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer } from '../../server/main.js';
import { runCli } from '../helpers/cli.js';
import { databaseKinds, type TestDatabase } from '../helpers/databases.js';
import { writeTree } from '../helpers/publish.js';
import { httpGet } from '../helpers/tracker-client.js';

const lastLine = (s: string): string => s.trim().split('\n').pop() as string;

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
  });
}
