// Issue 15 item 2: the web UI's files are served precompressed (.br/.gz written at build time)
// by content negotiation, with Vary: Accept-Encoding, and chromium's first load is measured.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { type Browser, ensureClientBuild, launchBrowser, needsChromium, SHOTS } from '../../helpers/browser.js';
import { databaseKinds } from '../../helpers/databases.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';
import { httpGet } from '../../helpers/tracker-client.js';

describe('precompressed web UI', { skip: needsChromium() }, () => {
  let srv: TestServer;
  let b: Browser;
  let asset: string;

  before(async () => {
    ensureClientBuild();
    srv = await startTestServer(databaseKinds()[0]);
    const index = await httpGet(`${srv.baseUrl}/`);
    asset = /src="(\/assets\/[^"]+\.js)"/.exec(index.body.toString())?.[1] as string;
    assert.ok(asset, 'index.html links a hashed script');
  });
  after(async () => {
    await b?.close();
    await srv?.close();
  });

  it('negotiates brotli, gzip or none, always with Vary, the same bytes once decoded', async () => {
    const get = (ae?: string, method = 'GET') => httpGet(`${srv.baseUrl}${asset}`, { method, headers: ae === undefined ? {} : { 'Accept-Encoding': ae } });
    const plain = await get();
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    const br = await get('gzip, deflate, br');
    assert.deepEqual([br.headers['content-encoding'], br.headers.vary], ['br', 'Accept-Encoding']);
    assert.ok(brotliDecompressSync(br.body).equals(plain.body));
    assert.ok(br.body.length < plain.body.length / 2, `brotli ${br.body.length} of ${plain.body.length} bytes`);
    const gz = await get('br;q=0, gzip');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gunzipSync(gz.body).equals(plain.body));
    assert.equal((await get('identity')).headers['content-encoding'], undefined);
    assert.equal((await get('*')).headers['content-encoding'], 'br');
    assert.equal(new Set([plain, br, gz].map((r) => r.headers.etag)).size, 3, 'one ETag per encoding');
    const head = await get('br', 'HEAD');
    assert.deepEqual([head.headers['content-encoding'], head.headers['content-length']], ['br', String(br.body.length)]);
    assert.equal((await httpGet(`${srv.baseUrl}${asset}`, { headers: { 'Accept-Encoding': 'br', 'If-None-Match': String(br.headers.etag) } })).status, 304);
  });

  it('loads the first page in chromium with a fraction of the bytes (printed)', async () => {
    b = await launchBrowser(srv.baseUrl);
    await b.page.goto('/');
    await b.page.getByText('No torrents yet').waitFor();
    const sizes = await b.page.evaluate<{ transfer: number; decoded: number }>(`(() => {
      const all = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')];
      return { transfer: all.reduce((s, e) => s + e.transferSize, 0), decoded: all.reduce((s, e) => s + e.decodedBodySize, 0) };
    })()`);
    process.stdout.write(`# first load: ${sizes.transfer} bytes on the wire for ${sizes.decoded} bytes of files\n`);
    await b.page.screenshot({ path: path.join(SHOTS, 'first-load.png') });
    assert.ok(sizes.transfer < sizes.decoded / 2, `${sizes.transfer} of ${sizes.decoded}`);
  });
});
