// Staging an upload of many files keeps O(1) files open: each staged file is closed once its part
// is written (one handle per file kept two 10,000-file uploads at EMFILE).
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { publishTorrent, type PublishFile } from '../../server/services/publish-torrent.js';
import { databaseKinds } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('staging many files', { skip: !existsSync('/proc/self/fd') && 'needs /proc/self/fd (Linux)' }, () => {
  let t: TestServer;
  before(async () => { t = await startTestServer(databaseKinds()[0]); });
  after(() => t.close());

  it('keeps a few files open however many an upload has, and publishes them all', async () => {
    const n = 400;
    const baseline = openFds();
    let most = 0;
    const file = (i: number): PublishFile => ({
      path: `many/f${String(i).padStart(4, '0')}.txt`,
      stream: (async function* () {
        most = Math.max(most, openFds() - baseline); // while the earlier files are staged
        yield Buffer.from(`file ${i}`);
      })(),
    });
    const row = await publishTorrent(
      { ds: t.server.ds, files: t.server.files, events: t.server.events, publicUrl: 'http://x', maxUploadBytes: 0 },
      { files: Array.from({ length: n }, (_, i) => file(i)) },
    );
    assert.equal(row.files.length, n);
    assert.ok(most < 20, `${most} more files open while staging ${n} files`);
  });
});
