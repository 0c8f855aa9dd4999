// A page on another origin (a second local port) reads seedhost's public content with fetch() in
// Debian chromium: a Range of webseed content (206, Content-Range, the bytes), the .torrent, and a
// preflighted request, as a browser client (WebTorrent in a page, a player) would (issue 14, item 4);
// and opened in a tab, a published text shows while a published HTML page is downloaded, never
// run as seedhost's origin (item 9).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { publishTorrent } from '../../../server/services/publish-torrent.js';
import { type Browser, launchBrowser, needsChromium } from '../../helpers/browser.js';
import { databaseKinds } from '../../helpers/databases.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';

const stream = async function* (b: Buffer): AsyncGenerator<Buffer> { yield b; };

interface Read { status: number; contentRange: string | null; contentLength: string | null; etag: string | null; contentType: string | null; bytes: number[] }

describe('cross-origin fetch() of webseed and .torrent in chromium', { skip: needsChromium() }, () => {
  let srv: TestServer;
  let elsewhere: http.Server;
  let b: Browser;
  let hash: string;
  let docs: string;
  const data = randomBytes(5000);

  before(async () => {
    srv = await startTestServer(databaseKinds()[0]);
    const deps = { ds: srv.server.ds, files: srv.server.files, events: srv.server.events, publicUrl: srv.baseUrl, maxUploadBytes: 0 };
    hash = (await publishTorrent(deps, { name: 'clip.bin', files: [{ path: 'clip.bin', size: data.length, stream: stream(data) }] })).infoHash;
    const page = Buffer.from('<!doctype html><script>document.title = "ran as " + origin</script>');
    const text = Buffer.from('plain words\n');
    docs = (await publishTorrent(deps, {
      name: 'docs', files: [{ path: 'page.html', size: page.length, stream: stream(page) }, { path: 'read me.txt', size: text.length, stream: stream(text) }],
    })).infoHash;
    // the other origin: a page that has nothing to do with seedhost
    elsewhere = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title><p>a page on another origin');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    b = await launchBrowser(`http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`);
    await b.page.goto('/');
  });
  after(async () => {
    await b?.close();
    await new Promise((resolve) => elsewhere?.close(resolve));
    await srv?.close();
  });

  /** fetch() in the page; a network or CORS failure comes back as `{ error }`. */
  const read = (url: string, headers: Record<string, string> = {}): Promise<Read | { error: string }> => b.page.evaluate(async ({ url, headers }) => {
    try {
      const r = await fetch(url, { headers });
      const h = (n: string): string | null => r.headers.get(n);
      return { status: r.status, contentRange: h('content-range'), contentLength: h('content-length'), etag: h('etag'), contentType: h('content-type'), bytes: [...new Uint8Array(await r.arrayBuffer())] };
    } catch (e) {
      return { error: String(e) };
    }
  }, { url, headers });

  it('reads a Range of webseed content: 206, Content-Range and the bytes', async () => {
    assert.notEqual(new URL(b.page.url()).origin, srv.baseUrl, 'the page is on another origin');
    const r = await read(`${srv.baseUrl}/webseed/${hash}/clip.bin`, { Range: 'bytes=1000-1099' }) as Read;
    assert.equal(r.status, 206, JSON.stringify(r).slice(0, 300));
    assert.equal(r.contentRange, `bytes 1000-1099/${data.length}`);
    assert.equal(r.contentLength, '100');
    assert.ok(Buffer.from(r.bytes).equals(data.subarray(1000, 1100)));
    const root = await read(`${srv.baseUrl}/webseed/${hash}/`, { Range: 'bytes=-10' }) as Read;
    assert.equal(root.status, 206, 'the url-list URL itself serves the single file');
    assert.ok(Buffer.from(root.bytes).equals(data.subarray(data.length - 10)));
  });

  it('reads the .torrent', async () => {
    const r = await read(`${srv.baseUrl}/torrents/${hash}.torrent`) as Read;
    assert.equal(r.status, 200);
    assert.equal(r.contentType, 'application/x-bittorrent');
    assert.match(Buffer.from(r.bytes).toString('latin1'), /^d8:announce/);
  });

  it('passes a preflight (If-None-Match is not a safelisted header) and reads the 304; a header not allowed is refused', async () => {
    const url = `${srv.baseUrl}/webseed/${hash}/clip.bin`;
    const { etag } = await read(url, { Range: 'bytes=0-0' }) as Read;
    assert.ok(etag !== null, 'ETag is exposed');
    const revalidated = await read(url, { 'If-None-Match': etag }) as Read;
    assert.equal(revalidated.status, 304, JSON.stringify(revalidated));
    const both = await read(url, { 'If-Range': etag, Range: 'bytes=4990-' }) as Read;
    assert.equal(both.status, 206);
    assert.ok(Buffer.from(both.bytes).equals(data.subarray(4990)));
    const refused = await read(url, { 'X-Not-Allowed': '1' });
    assert.ok('error' in refused, `a header the preflight does not allow fails the request: ${JSON.stringify(refused).slice(0, 200)}`);
  });

  it('can read the status of a missing file', async () => {
    const r = await read(`${srv.baseUrl}/webseed/${hash}/missing.bin`) as Read;
    assert.equal(r.status, 404);
  });

  it('shows a published text in the tab, and downloads a published HTML page instead of running it as seedhost', async () => {
    const tab = await b.ctx.newPage();
    try {
      await tab.goto(`${srv.baseUrl}/webseed/${docs}/docs/read%20me.txt`);
      assert.equal((await tab.textContent('body'))?.trim(), 'plain words');
      const [download] = await Promise.all([
        tab.waitForEvent('download'),
        tab.goto(`${srv.baseUrl}/webseed/${docs}/docs/page.html`).catch(() => null), // a download aborts the navigation
      ]);
      assert.equal(download.suggestedFilename(), 'page.html');
      assert.doesNotMatch(await tab.title(), /ran as/);
    } finally {
      await tab.close();
    }
  });
});
