// What browsers and browser-like clients need from the webseed and the .torrent URLs beyond BEP 19:
// CORS on every reply (errors too) and an answered preflight, media types from the file name with
// a publisher's documents kept from running as this origin, and empty files answered as nginx does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PREFLIGHT_MAX_AGE } from '../../server/http/cors.js';
import { publishTorrent } from '../../server/services/publish-torrent.js';
import { databaseKinds } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { httpGet, type HttpReply } from '../helpers/tracker-client.js';

const stream = async function* (b: Buffer): AsyncGenerator<Buffer> { yield b; };
const ORIGIN = { Origin: 'http://elsewhere.example' };

function assertReadableAnywhere(r: HttpReply, what: string): void {
  assert.equal(r.headers['access-control-allow-origin'], '*', what);
  const exposed = String(r.headers['access-control-expose-headers']).split(/\s*,\s*/).map((h) => h.toLowerCase());
  for (const h of ['content-range', 'content-length', 'etag', 'accept-ranges']) assert.ok(exposed.includes(h), `${what}: exposes ${h}`);
}

describe('webseed and .torrent headers for browsers', () => {
  let t: TestServer;
  let multi: string;
  let single: string;
  const files: Record<string, Buffer> = {
    'a/empty.dat': Buffer.alloc(0),
    'clip.mp4': Buffer.from('not really a video'),
    'notes.txt': Buffer.from('héllo\n'),
    'page.html': Buffer.from('<script>parent.stolen = localStorage</script>'),
    'logo.svg': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    'odd.unknownext': Buffer.from('?'),
  };
  before(async () => {
    t = await startTestServer(databaseKinds()[0]);
    const deps = { ds: t.server.ds, files: t.server.files, events: t.server.events, publicUrl: t.baseUrl, maxUploadBytes: 0 };
    multi = (await publishTorrent(deps, {
      name: 'mixed', files: Object.entries(files).map(([p, b]) => ({ path: p, size: b.length, stream: stream(b) })),
    })).infoHash;
    single = (await publishTorrent(deps, { name: 'one.bin', files: [{ path: 'one.bin', size: 3, stream: stream(Buffer.from('abc')) }] })).infoHash;
  });
  after(() => t.close());
  const url = (p: string): string => `${t.baseUrl}/webseed/${multi}/mixed/${p}`;

  describe('CORS', () => {
    it('lets any origin read webseed content, ranges and .torrent files, exposing the range headers', async () => {
      assertReadableAnywhere(await httpGet(url('notes.txt'), { headers: ORIGIN }), '200');
      const part = await httpGet(url('notes.txt'), { headers: { ...ORIGIN, Range: 'bytes=0-1' } });
      assert.equal(part.status, 206);
      assertReadableAnywhere(part, '206');
      assertReadableAnywhere(await httpGet(`${t.baseUrl}/webseed/${single}/`, { headers: ORIGIN }), 'the url-list URL');
      assertReadableAnywhere(await httpGet(`${t.baseUrl}/torrents/${single}.torrent`, { headers: ORIGIN }), '.torrent');
      assertReadableAnywhere(await httpGet(url('notes.txt'), { method: 'HEAD', headers: ORIGIN }), 'HEAD');
    });

    it('marks error replies readable too, so a page can see 404, 416, 304 and 405', async () => {
      const etag = String((await httpGet(url('notes.txt'), { method: 'HEAD' })).headers.etag);
      const replies: [string, Promise<HttpReply>, number][] = [
        ['missing file', httpGet(url('nope.txt'), { headers: ORIGIN }), 404],
        ['missing .torrent', httpGet(`${t.baseUrl}/torrents/${'0'.repeat(40)}.torrent`, { headers: ORIGIN }), 404],
        ['multi-file folder', httpGet(`${t.baseUrl}/webseed/${multi}/`, { headers: ORIGIN }), 404],
        ['past the end', httpGet(url('notes.txt'), { headers: { ...ORIGIN, Range: 'bytes=99-' } }), 416],
        ['not modified', httpGet(url('notes.txt'), { headers: { ...ORIGIN, 'If-None-Match': etag } }), 304],
        ['a DELETE', httpGet(url('notes.txt'), { method: 'DELETE', headers: ORIGIN }), 405],
        ['a POST of a .torrent', httpGet(`${t.baseUrl}/torrents/${single}.torrent`, { method: 'POST', headers: ORIGIN }), 405],
      ];
      for (const [what, reply, status] of replies) {
        const r = await reply;
        assert.equal(r.status, status, what);
        assert.equal(r.headers['access-control-allow-origin'], '*', what);
      }
    });

    it('answers preflights on both routes with 204, the methods, Range and the conditional headers, and a max age', async () => {
      for (const target of [url('notes.txt'), `${t.baseUrl}/torrents/${single}.torrent`, `${t.baseUrl}/webseed/${multi}/mixed/nope`]) {
        const r = await httpGet(target, {
          method: 'OPTIONS',
          headers: { ...ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range, if-none-match' },
        });
        assert.equal(r.status, 204, target);
        assert.equal(r.body.length, 0);
        assert.equal(r.headers['access-control-allow-origin'], '*');
        assert.deepEqual(String(r.headers['access-control-allow-methods']).split(/\s*,\s*/).sort(), ['GET', 'HEAD', 'OPTIONS']);
        const allowed = String(r.headers['access-control-allow-headers']).toLowerCase().split(/\s*,\s*/);
        for (const h of ['range', 'if-none-match', 'if-range', 'if-modified-since']) assert.ok(allowed.includes(h), h);
        assert.equal(r.headers['access-control-max-age'], String(PREFLIGHT_MAX_AGE));
        assert.equal(r.headers.allow, 'GET, HEAD, OPTIONS');
      }
    });

    it('leaves the GraphQL API and the web UI same-origin', async () => {
      for (const p of ['/graphql', '/']) {
        const r = await httpGet(`${t.baseUrl}${p}`, { method: 'OPTIONS', headers: { ...ORIGIN, 'Access-Control-Request-Method': 'POST' } });
        assert.equal(r.headers['access-control-allow-origin'], undefined, p);
      }
      const q = await httpGet(`${t.baseUrl}/graphql?query=%7B__typename%7D`, { headers: ORIGIN });
      assert.equal(q.headers['access-control-allow-origin'], undefined);
    });
  });

  describe('media types', () => {
    it('types a file by its extension, without a charset, and unknown ones as application/octet-stream', async () => {
      const want: Record<string, string> = { 'notes.txt': 'text/plain', 'clip.mp4': 'video/mp4', 'odd.unknownext': 'application/octet-stream' };
      for (const [p, type] of Object.entries(want)) {
        const r = await httpGet(url(p));
        assert.equal(r.headers['content-type'], type, p);
        assert.equal(r.headers['x-content-type-options'], 'nosniff', p);
        assert.match(String(r.headers['content-disposition']), new RegExp(`^inline; filename="${p}"`), p);
      }
      assert.equal((await httpGet(`${t.baseUrl}/torrents/${single}.torrent`)).headers['x-content-type-options'], 'nosniff');
    });

    it('never lets a publisher\'s HTML or SVG run as this origin: sandboxed and sent as an attachment', async () => {
      for (const [p, type] of [['page.html', 'text/html'], ['logo.svg', 'image/svg+xml']]) {
        const r = await httpGet(url(p));
        assert.equal(r.headers['content-type'], type);
        assert.match(String(r.headers['content-disposition']), new RegExp(`^attachment; filename="${p}"`));
        assert.equal(r.headers['content-security-policy'], 'sandbox');
      }
      assert.equal((await httpGet(url('clip.mp4'))).headers['content-security-policy'], 'sandbox', 'every webseed reply is sandboxed');
    });
  });

  describe('an empty file (as nginx answers it)', () => {
    it('answers a range from byte 0, or a suffix range, with 200 and Content-Length 0', async () => {
      for (const range of ['bytes=0-12', 'bytes=0-', 'bytes=0-0', 'bytes=-5', 'bytes=-0']) {
        for (const method of ['GET', 'HEAD']) {
          const r = await httpGet(url('a/empty.dat'), { method, headers: { Range: range } });
          assert.equal(r.status, 200, `${method} ${range}`);
          assert.equal(r.headers['content-length'], '0');
          assert.equal(r.headers['content-range'], undefined);
          assert.equal(r.body.length, 0);
        }
      }
    });

    it('answers a range starting past byte 0 with 416 and bytes */0', async () => {
      const r = await httpGet(url('a/empty.dat'), { headers: { Range: 'bytes=5-' } });
      assert.equal(r.status, 416);
      assert.equal(r.headers['content-range'], 'bytes */0');
    });
  });
});
