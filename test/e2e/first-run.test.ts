// What a server says at its start, read from its log: where new torrents point and where the web
// UI is (once), how to get a first admin while there is none, a changed PUBLIC_URL; and the
// PUBLIC_URL it records for the command line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { startServer } from '../../server/main.js';
import { databaseKinds } from '../helpers/databases.js';
import { memoryLogger } from '../helpers/memory-logger.js';
import { startTestServer } from '../helpers/test-server.js';

const INFO = 30, WARN = 40;

for (const kind of databaseKinds()) {
  describe(`a server's first start (${kind.name})`, () => {
    it('logs once at info level the PUBLIC_URL it writes into torrents and the UI to open, and how to make the first admin', async () => {
      const logs = memoryLogger('info');
      const t = await startTestServer(kind, { PUBLIC_URL: 'https://seed.example/' }, logs.logger);
      try {
        const url = logs.lines.filter((l) => l.publicUrl !== undefined);
        assert.deepEqual(url.map((l) => [l.level, l.publicUrl, l.ui, l.msg]),
          [[INFO, 'https://seed.example', 'https://seed.example/', 'new torrents announce to https://seed.example/announce (PUBLIC_URL); web UI at https://seed.example/']]);
        const admin = logs.lines.filter((l) => String(l.msg).startsWith('no admin'));
        assert.deepEqual(admin.map((l) => [l.level, l.msg]), [[INFO, 'no admin account yet: run `node bin/seedhost.js user add NAME --role admin` in this folder '
          + '(password from stdin), or set ADMIN_USERNAME and ADMIN_PASSWORD and restart; then sign in at https://seed.example/']]);
        const [row] = await t.server.ds.query("SELECT value FROM settings WHERE name = 'public_url'");
        assert.equal(row.value, 'https://seed.example');

        // the command given works: afterwards the server says nothing more about admins
        const made = await t.cli(['user', 'add', 'boss', '--role', 'admin'], 'long enough secret\n');
        assert.equal(made.code, 0, made.stderr);
        await t.server.close();
        const again = memoryLogger('info');
        const second = await startServer(loadConfig({ ...t.env, PUBLIC_URL: 'https://moved.example' }), again.logger);
        try {
          assert.equal(again.lines.filter((l) => String(l.msg).startsWith('no admin')).length, 0);
          assert.deepEqual(again.lines.filter((l) => l.before !== undefined).map((l) => [l.level, l.before, l.publicUrl, l.msg]),
            [[WARN, 'https://seed.example', 'https://moved.example', 'PUBLIC_URL changed from https://seed.example: torrents published before still point there']]);
          const [moved] = await second.ds.query("SELECT value FROM settings WHERE name = 'public_url'");
          assert.equal(moved.value, 'https://moved.example');
        } finally {
          await second.close();
        }
      } finally {
        await t.close(); // its server's close() is idempotent
      }
    });

    it('says nothing about admins when ADMIN_USERNAME made one', async () => {
      const logs = memoryLogger('info');
      const t = await startTestServer(kind, { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'long enough secret' }, logs.logger);
      try {
        assert.equal(logs.lines.filter((l) => l.msg === 'created admin user').length, 1);
        assert.equal(logs.lines.filter((l) => String(l.msg).startsWith('no admin')).length, 0);
      } finally {
        await t.close();
      }
    });

    it('asks only for `user add` when accounts exist but none is an admin', async () => {
      const t = await startTestServer(kind);
      try {
        assert.equal((await t.cli(['user', 'add', 'up', '--role', 'uploader'], 'long enough secret\n')).code, 0);
        await t.server.close();
        const logs = memoryLogger('info');
        const again = await startServer(loadConfig(t.env), logs.logger);
        await again.close();
        assert.deepEqual(logs.lines.filter((l) => String(l.msg).startsWith('no admin')).map((l) => l.msg),
          ['no admin account yet: run `node bin/seedhost.js user add NAME --role admin` in this folder (password from stdin); then sign in at http://localhost:0/']);
      } finally {
        await t.close();
      }
    });
  });
}
