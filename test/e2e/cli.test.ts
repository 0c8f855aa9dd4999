import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { makeTorrent } from '../helpers/make-torrent.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

for (const kind of databaseKinds()) {
  describe(`seedhost command line (${kind.name})`, () => {
    let t: TestServer;
    const write = (name: string, data: Buffer): string => {
      const p = path.join(t.dataDir, name);
      writeFileSync(p, data);
      return p;
    };
    before(async () => { t = await startTestServer(kind); });
    after(() => t.close());

    it('registers several .torrent files and prints their info_hashes in the order given', async () => {
      const a = makeTorrent(), b = makeTorrent();
      const r = await t.cli(['register', write('b.torrent', b.file), write('a.torrent', a.file)]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), [b.infoHash, a.infoHash]);
      const list = await t.cli(['list']);
      assert.equal(list.code, 0);
      assert.equal(list.stdout.trim().split('\n').length, 2);
      assert.match(list.stdout, new RegExp(a.infoHash));
    });

    it('refuses a torrent already registered, as add and the API do, registering none of the files given', async () => {
      const a = makeTorrent(), fresh = makeTorrent();
      assert.equal((await t.cli(['register', write('dup-a.torrent', a.file)])).code, 0);
      const again = await t.cli(['register', write('fresh.torrent', fresh.file), write('dup-a2.torrent', a.file)]);
      assert.equal(again.code, 1);
      assert.equal(again.stdout, '');
      assert.match(again.stderr, new RegExp(`^seedhost: register: nothing registered; \\S*dup-a2\\.torrent: torrent ${a.infoHash} is already registered\n$`));
      const twice = await t.cli(['register', write('fresh2.torrent', fresh.file), path.join(t.dataDir, 'fresh2.torrent')]);
      assert.equal(twice.code, 1);
      assert.match(twice.stderr, /fresh2\.torrent: the same torrent as \S*fresh2\.torrent/);
      assert.doesNotMatch((await t.cli(['list'])).stdout, new RegExp(fresh.infoHash));
    });

    it('names the database it read on stderr, keeping stdout to one line per torrent', async () => {
      const m = makeTorrent();
      await t.cli(['register', write('named.torrent', m.file)]);
      const list = await t.cli(['list']);
      assert.equal(list.code, 0);
      const count = list.stdout.trim().split('\n').length;
      const where = kind.name === 'sqlite' ? `SQLite ${t.env.DATABASE_URL.slice('sqlite:'.length)}` : t.env.DATABASE_URL.replace(/:[^:@/]*@/, '@');
      assert.equal(list.stderr, `seedhost: ${count} torrents in ${where}\n`);
    });

    it('registers nothing when one of the files is broken, with one line on stderr', async () => {
      const good = makeTorrent();
      const r = await t.cli(['register', write('good.torrent', good.file), write('bad.torrent', Buffer.from('d4:infoi1ee'))]);
      assert.notEqual(r.code, 0);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, /bad\.torrent: info is not a dictionary/);
      assert.doesNotMatch((await t.cli(['list'])).stdout, new RegExp(good.infoHash));
    });

    it('removes a torrent, and refuses an unknown or malformed info_hash', async () => {
      const m = makeTorrent();
      await t.cli(['register', write('m.torrent', m.file)]);
      assert.equal((await t.cli(['remove', m.infoHash.toUpperCase()])).code, 0);
      const unknown = await t.cli(['remove', m.infoHash]);
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr, /no torrent/);
      const bad = await t.cli(['remove', 'xyz']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /40 hex characters/);
    });

    it('adds users with the password from stdin or --password, hashed with scrypt', async () => {
      const r = await t.cli(['user', 'add', 'alice', '--role', 'uploader'], 'correct horse battery\n');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /created uploader alice/);
      const rows = await t.server.ds.query("SELECT password_hash FROM users WHERE username = 'alice'");
      assert.match(rows[0].password_hash, /^scrypt\$32768\$8\$1\$/);
      assert.ok(!rows[0].password_hash.includes('correct horse'));
      assert.equal((await t.cli(['user', 'add', 'bob', '--role', 'admin', '--password', 'another-secret'])).code, 0);
      const dup = await t.cli(['user', 'add', 'alice', '--role', 'admin', '--password', 'whatever-long']);
      assert.notEqual(dup.code, 0);
      assert.match(dup.stderr, /already exists/);
      const role = await t.cli(['user', 'add', 'carol', '--role', 'root', '--password', 'whatever-long']);
      assert.match(role.stderr, /--role must be admin or uploader/);
      const short = await t.cli(['user', 'add', 'dave', '--role', 'admin', '--password', 'short']);
      assert.match(short.stderr, /at least 8 characters/);
    });

  });
}
