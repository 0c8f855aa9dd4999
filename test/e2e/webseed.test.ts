import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { publishTorrent } from '../../server/services/publish-torrent.js';
import { databaseKinds } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { httpGet } from '../helpers/tracker-client.js';

const stream = async function* (b: Buffer): AsyncGenerator<Buffer> { yield b; };

/** A request with a raw, unnormalised path (Node's client would not send some of these as is). */
function rawStatus(port: number, rawPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(`GET ${rawPath} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let data = '';
    s.on('data', (c) => { data += c.toString('latin1'); });
    s.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    s.on('error', reject);
  });
}

describe('webseed route', () => {
  let t: TestServer;
  let single: string;
  let multi: string;
  const data = randomBytes(100_000);
  const nested = randomBytes(3000);
  before(async () => {
    t = await startTestServer(databaseKinds()[0]);
    const deps = { ds: t.server.ds, files: t.server.files, events: t.server.events, publicUrl: t.baseUrl, maxUploadBytes: 0 };
    single = (await publishTorrent(deps, { name: 'movie file.bin', files: [{ path: 'movie file.bin', size: data.length, stream: stream(data) }] })).infoHash;
    multi = (await publishTorrent(deps, {
      name: 'album', files: [
        { path: 'cd1/track 1.flac', size: nested.length, stream: stream(nested) },
        { path: 'notes.txt', size: 5, stream: stream(Buffer.from('hello')) },
      ],
    })).infoHash;
  });
  after(() => t.close());

  it('serves a single-file torrent at <name> with length, type, validators and range support', async () => {
    const r = await httpGet(`${t.baseUrl}/webseed/${single}/movie%20file.bin`);
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(data));
    assert.equal(r.headers['content-length'], String(data.length));
    assert.equal(r.headers['accept-ranges'], 'bytes');
    assert.match(String(r.headers.etag), /^"[0-9a-f]{40}-0"$/);
    assert.ok(!Number.isNaN(Date.parse(String(r.headers['last-modified']))));
  });

  it('serves a multi-file torrent at <name>/<path...>', async () => {
    const r = await httpGet(`${t.baseUrl}/webseed/${multi}/album/cd1/track%201.flac`);
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(nested));
    assert.equal(String((await httpGet(`${t.baseUrl}/webseed/${multi}/album/notes.txt`)).body), 'hello');
  });

  it('answers single ranges with 206: bounded, open-ended and suffix', async () => {
    const url = `${t.baseUrl}/webseed/${single}/movie%20file.bin`;
    const a = await httpGet(url, { headers: { Range: 'bytes=10-19' } });
    assert.equal(a.status, 206);
    assert.equal(a.headers['content-range'], `bytes 10-19/${data.length}`);
    assert.ok(a.body.equals(data.subarray(10, 20)));
    const b = await httpGet(url, { headers: { Range: 'bytes=99990-' } });
    assert.ok(b.body.equals(data.subarray(99990)));
    const c = await httpGet(url, { headers: { Range: 'bytes=-7' } });
    assert.ok(c.body.equals(data.subarray(data.length - 7)));
    assert.equal(c.headers['content-length'], '7');
  });

  it('answers an unsatisfiable range with 416 and the size', async () => {
    const r = await httpGet(`${t.baseUrl}/webseed/${single}/movie%20file.bin`, { headers: { Range: `bytes=${data.length}-` } });
    assert.equal(r.status, 416);
    assert.equal(r.headers['content-range'], `bytes */${data.length}`);
  });

  it('honours If-None-Match with 304 and If-Range only when the validator matches', async () => {
    const url = `${t.baseUrl}/webseed/${single}/movie%20file.bin`;
    const etag = String((await httpGet(url, { method: 'HEAD' })).headers.etag);
    assert.equal((await httpGet(url, { headers: { 'If-None-Match': etag } })).status, 304);
    const ok = await httpGet(url, { headers: { Range: 'bytes=0-0', 'If-Range': etag } });
    assert.equal(ok.status, 206);
    const stale = await httpGet(url, { headers: { Range: 'bytes=0-0', 'If-Range': '"something-else"' } });
    assert.equal(stale.status, 200);
    assert.equal(stale.body.length, data.length);
  });

  it('compares If-None-Match weakly (W/ tags match, lists too) and If-Range strongly', async () => {
    const url = `${t.baseUrl}/webseed/${single}/movie%20file.bin`;
    const etag = String((await httpGet(url, { method: 'HEAD' })).headers.etag);
    assert.equal((await httpGet(url, { headers: { 'If-None-Match': `W/${etag}` } })).status, 304);
    assert.equal((await httpGet(url, { headers: { 'If-None-Match': `"other", W/${etag}` } })).status, 304);
    assert.equal((await httpGet(url, { method: 'HEAD', headers: { 'If-None-Match': `W/${etag}` } })).status, 304);
    assert.equal((await httpGet(url, { headers: { 'If-None-Match': 'W/"other"' } })).status, 200);
    const weakRange = await httpGet(url, { headers: { Range: 'bytes=0-0', 'If-Range': `W/${etag}` } });
    assert.equal(weakRange.status, 200, 'a weak validator in If-Range never matches: the whole file');
    assert.equal(weakRange.body.length, data.length);
  });

  it('answers HEAD with headers and no body', async () => {
    const r = await httpGet(`${t.baseUrl}/webseed/${single}/movie%20file.bin`, { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-length'], String(data.length));
    assert.equal(r.body.length, 0);
  });

  it('serves a single-file torrent at its url-list URL too, with and without the slash (WebTorrent fetches it as is)', async () => {
    const named = await httpGet(`${t.baseUrl}/webseed/${single}/movie%20file.bin`, { method: 'HEAD' });
    for (const root of [`${t.baseUrl}/webseed/${single}/`, `${t.baseUrl}/webseed/${single}`, `${t.baseUrl}/webseed/${single.toUpperCase()}/`]) {
      const whole = await httpGet(root);
      assert.equal(whole.status, 200, root);
      assert.ok(whole.body.equals(data));
      assert.equal(whole.headers.etag, named.headers.etag, 'one file, one validator');
      assert.equal(whole.headers['last-modified'], named.headers['last-modified']);
      assert.match(String(whole.headers['content-disposition']), /^inline; filename="movie file.bin"/, 'a browser saves it under its name, not the hash');
      const part = await httpGet(root, { headers: { Range: 'bytes=100-199' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers['content-range'], `bytes 100-199/${data.length}`);
      assert.ok(part.body.equals(data.subarray(100, 200)));
      const head = await httpGet(root, { method: 'HEAD' });
      assert.equal(head.headers['content-length'], String(data.length));
      assert.equal(head.body.length, 0);
      assert.equal((await httpGet(root, { headers: { 'If-None-Match': String(named.headers.etag) } })).status, 304);
      assert.equal((await httpGet(root, { headers: { Range: `bytes=${data.length}-` } })).status, 416);
    }
  });

  const tricks = (): string[] => [
    `/webseed/${single}//`,
    `/webseed/${single}/./`,
    `/webseed/${single}/other.bin`,
    `/webseed/${single}/movie%20file.bin/`,
    `/webseed/${single}/../../seedhost.db`,
    `/webseed/${single}/%2e%2e/%2e%2e/seedhost.db`,
    `/webseed/${single}/..%2f..%2fseedhost.db`,
    `/webseed/${multi}/album%2Fnotes.txt`,
    `/webseed/${multi}/album/./notes.txt`,
    `/webseed/${multi}/album//notes.txt`,
    `/webseed/${multi}/album/notes.txt%00.jpg`,
    `/webseed/${multi}/album/cd1`,
    `/webseed/${multi}/album`,
    `/webseed/${multi}/album/`,
    `/webseed/${multi}/`,
    `/webseed/${multi}`,
    `/webseed/${'f'.repeat(40)}/`,
    `/webseed/${'f'.repeat(40)}`,
    `/webseed/`,
    `/webseed/${multi}//etc/passwd`,
    `/webseed/${multi}/%2Fetc%2Fpasswd`,
    `/webseed/${multi}/album\\notes.txt`,
    `/webseed/${multi}/album/%ZZ`,
    `/webseed/${'f'.repeat(40)}/album/notes.txt`,
    `/webseed/not-a-hash/album/notes.txt`,
    `/webseed/../content/${single}/movie%20file.bin`,
  ];
  it('answers 404 to every path trick and to a multi-file torrent\'s folders, never reaching outside the torrent', async () => {
    for (const p of tricks()) assert.equal(await rawStatus(t.server.port, p), 404, p);
  });

  it('follows no symbolic link inside a torrent\'s folder: a linked file, folder or torrent folder is 404', async () => {
    const deps = { ds: t.server.ds, files: t.server.files, events: t.server.events, publicUrl: t.baseUrl, maxUploadBytes: 0 };
    const linked = (await publishTorrent(deps, {
      name: 'linked', files: [
        { path: 'a.bin', size: 6, stream: stream(Buffer.from('plain!')) },
        { path: 'plain.bin', size: 6, stream: stream(Buffer.from('plain!')) },
        { path: 'sub/b.bin', size: 6, stream: stream(Buffer.from('plain!')) },
      ],
    })).infoHash;
    const whole = (await publishTorrent(deps, { name: 'whole.bin', files: [{ path: 'whole.bin', size: 6, stream: stream(Buffer.from('plain!')) }] })).infoHash;
    // outside the torrents: files of the same names and sizes, which the links point to
    const outside = path.join(t.dataDir, 'outside');
    mkdirSync(path.join(outside, 'sub'), { recursive: true });
    for (const f of ['secret.bin', 'sub/b.bin']) writeFileSync(path.join(outside, f), 'SECRET');
    const root = path.join(t.dataDir, 'content', linked, 'linked');
    rmSync(path.join(root, 'a.bin'));
    symlinkSync(path.join(outside, 'secret.bin'), path.join(root, 'a.bin'));
    rmSync(path.join(root, 'sub'), { recursive: true });
    symlinkSync(path.join(outside, 'sub'), path.join(root, 'sub'));
    const wholeDir = path.join(t.dataDir, 'content', whole);
    renameSync(wholeDir, path.join(outside, whole));
    symlinkSync(path.join(outside, whole), wholeDir);

    assert.equal(String((await httpGet(`${t.baseUrl}/webseed/${linked}/linked/plain.bin`)).body), 'plain!');
    for (const p of [`${linked}/linked/a.bin`, `${linked}/linked/sub/b.bin`, `${whole}/whole.bin`]) {
      for (const method of ['GET', 'HEAD']) {
        const r = await httpGet(`${t.baseUrl}/webseed/${p}`, { method });
        assert.equal(r.status, 404, `${method} ${p}`);
        assert.doesNotMatch(String(r.body), /SECRET|plain/);
      }
    }
  });

  it('serves many concurrent range requests correctly (more than its buffer pool holds at once)', async () => {
    const url = `${t.baseUrl}/webseed/${single}/movie%20file.bin`;
    const ranges = Array.from({ length: 120 }, (_, i) => [(i * 797) % 90_000, (i * 797) % 90_000 + 5000 + (i % 7)] as const);
    const replies = await Promise.all(ranges.map(([a, b]) => httpGet(url, { headers: { Range: `bytes=${a}-${b}` } })));
    replies.forEach((r, i) => {
      assert.equal(r.status, 206);
      assert.ok(r.body.equals(data.subarray(ranges[i][0], ranges[i][1] + 1)), `range ${i}`);
    });
  });

  it('refuses methods other than GET and HEAD', async () => {
    assert.equal((await httpGet(`${t.baseUrl}/webseed/${single}/movie%20file.bin`, { method: 'DELETE' })).status, 405);
  });
});
