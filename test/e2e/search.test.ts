// Issue 15 item 5: torrent search finds any script in any case on SQLite and MariaDB alike, and
// finds torrents by the paths of their files, whichever writer stored them (API or command line).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { ADMIN_ENV, gql, ok, registerAs, setUpAccounts, type Accounts } from '../helpers/graphql-client.js';
import { makeMultiFileTorrent, makeTorrent } from '../helpers/make-torrent.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

for (const kind of databaseKinds()) {
  describe(`torrent search (${kind.name})`, () => {
    let t: TestServer;
    let acc: Accounts;
    const names = async (search: string): Promise<string[]> => ok(await gql(t.baseUrl, TORRENTS, { search })).torrents.nodes.map((n: { name: string }) => n.name).sort();
    let reports: string;

    before(async () => {
      t = await startTestServer(kind, ADMIN_ENV);
      acc = await setUpAccounts(t.baseUrl);
      await registerAs(t.baseUrl, acc.alice, makeTorrent({ name: 'Фотографии лета.zip' }));
      await registerAs(t.baseUrl, acc.alice, makeTorrent({ name: 'Οδός ΣΟΦΟΣ.mkv' }));
      await registerAs(t.baseUrl, acc.alice, makeTorrent({ name: 'Hauptstraße.txt' }));
      reports = await registerAs(t.baseUrl, acc.alice, makeMultiFileTorrent('reports', [['2024/Отчёт ГОДОВОЙ.pdf', 10], ['README.md', 5]]));
      // the command line writes rows in plain SQL (db/direct/): its search text must match too
      const file = path.join(t.dataDir, 'cli.torrent');
      writeFileSync(file, makeMultiFileTorrent('Из командной строки', [['ÉTÉ/plage.jpg', 10]]).file);
      const r = await t.cli(['register', file]);
      assert.equal(r.code, 0, r.stderr);
    });
    after(() => t.close());

    it('finds names with capitals outside ASCII, whatever the case searched', async () => {
      assert.deepEqual(await names('Фото'), ['Фотографии лета.zip']);
      assert.deepEqual(await names('ФОТОГРАФИИ ЛЕТА'), ['Фотографии лета.zip']);
      assert.deepEqual(await names('фото'), ['Фотографии лета.zip']);
      assert.deepEqual(await names('σοφοσ'), ['Οδός ΣΟΦΟΣ.mkv']);
      assert.deepEqual(await names('ΟΔΌΣ'), ['Οδός ΣΟΦΟΣ.mkv']);
      assert.deepEqual(await names('HAUPTSTRASSE'), ['Hauptstraße.txt']);
      assert.deepEqual(await names('командной'), ['Из командной строки']);
    });

    it('finds torrents by a file path, from either writer', async () => {
      assert.deepEqual(await names('отчёт годовой'), ['reports']);
      assert.deepEqual(await names('readme'), ['reports']);
      assert.deepEqual(await names('été/PLAGE'), ['Из командной строки']);
      assert.deepEqual(await names('nothing like this'), []);
    });

    it('compares exactly otherwise: accents count, % and _ are literal', async () => {
      assert.deepEqual(await names('ete/plage'), [], 'é is not e on either database');
      for (const literal of ['%', '_', '!']) assert.deepEqual(await names(literal), [], literal);
    });

    it('follows a new shown name, keeping the file paths searchable', async () => {
      ok(await gql(t.baseUrl, RENAME, { h: reports, name: 'Годовые ОТЧЁТЫ' }, acc.alice));
      assert.deepEqual(await names('отчёты'), ['Годовые ОТЧЁТЫ']);
      assert.deepEqual(await names('reports'), [], 'the old name is not searched');
      assert.deepEqual(await names('README'), ['Годовые ОТЧЁТЫ']);
      ok(await gql(t.baseUrl, RENAME, { h: reports, name: '' }, acc.alice)); // back to the metainfo name
      assert.deepEqual(await names('REPORTS'), ['reports']);
    });
  });
}

const TORRENTS = 'query($search: String) { torrents(search: $search, first: 50) { totalCount nodes { name } } }';
const RENAME = 'mutation($h: String!, $name: String) { updateTorrent(infoHash: $h, name: $name) { name } }';
