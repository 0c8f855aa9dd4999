import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MAP_ENTRIES_PER_TURN, MAX_UNREAD_FILES, MultipartError, parseMultipart } from '../../../server/graphql/multipart.js';
import type { Upload } from '../../../server/graphql/upload.js';

const BOUNDARY = 'xTESTx';
const part = (name: string, body: string, filename?: string): string =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n${body}\r\n`;

describe('multipart request', () => {
  it('parses the body only a bounded way ahead of the reader (MAX_UNREAD_FILES, plus what the stream buffers hold)', async () => {
    const n = 2000; // about 200 kB of parts: several times what the streams in between buffer
    const req = Object.assign(new PassThrough(), { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, complete: false });
    const parsed = parseMultipart(req as unknown as IncomingMessage, n);
    req.write(part('operations', JSON.stringify({ query: 'mutation($f:[Upload!]!){uploadTorrent(files:$f){infoHash}}', variables: { f: Array(n).fill(null) } })));
    req.write(part('map', JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), [`variables.f.${i}`]])))));
    for (let i = 0; i < n; i++) req.write(part(String(i), `file ${i}`, `f${i}.txt`)); // one chunk a part
    req.complete = true; // all of it is sent
    req.end(`--${BOUNDARY}--\r\n`);
    const { operations } = await parsed;
    const uploads = (operations as { variables: { f: Upload[] } }).variables.f;
    for (let i = 0; i < 20; i++) await nextTurn();
    const arrived = () => uploads.filter((u) => u.settled).length;
    assert.ok(arrived() >= Math.min(MAX_UNREAD_FILES, n), 'the first files arrive');
    assert.ok(arrived() <= n / 4, `${arrived()} of ${n} files parsed while none was read`);
    // reading them, in order, lets the rest through, each intact
    for (let i = 0; i < n; i++) {
      const f = await uploads[i].promise;
      let text = '';
      for await (const c of f.stream) text += String(c);
      assert.equal(text, `file ${i}`);
    }
    assert.equal(arrived(), n);
  });

  it(`turns a large map into Uploads ${MAP_ENTRIES_PER_TURN} entries a turn, the parts sent in the same write waiting meanwhile`, async () => {
    const n = 4 * MAP_ENTRIES_PER_TURN + 7;
    const req = Object.assign(new PassThrough(), { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, complete: false });
    const parsed = parseMultipart(req as unknown as IncomingMessage, n);
    let turns = 0;
    let ready = false;
    void parsed.then(() => (ready = true));
    // operations, map and the first files in one chunk: the parser emits those files before the map is done
    req.write(part('operations', JSON.stringify({ query: 'mutation($f:[Upload!]!){uploadTorrent(files:$f){infoHash}}', variables: { f: Array(n).fill(null) } }))
      + part('map', JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), [`variables.f.${i}`]]))))
      + Array.from({ length: 10 }, (_, i) => part(String(i), `file ${i}`, `f${i}.txt`)).join(''));
    while (!ready && turns < 100) {
      await nextTurn();
      turns++;
    }
    assert.ok(ready, 'the map was never done');
    assert.ok(turns >= 4, `the map of ${n} entries took ${turns} turns: made in one go`);
    for (let i = 10; i < n; i++) req.write(part(String(i), `file ${i}`, `f${i}.txt`));
    req.complete = true;
    req.end(`--${BOUNDARY}--\r\n`);
    const uploads = ((await parsed).operations as { variables: { f: Upload[] } }).variables.f;
    for (let i = 0; i < n; i++) {
      const f = await uploads[i].promise;
      let text = '';
      for await (const c of f.stream) text += String(c);
      assert.equal(text, `file ${i}`, `file ${i}`);
      assert.equal(f.filename, `f${i}.txt`);
    }
  });

  it('refuses a map entry that is not a list of paths, and a map that is not an object', async () => {
    for (const [map, why] of [[{ 0: 'variables.f.0' }, /must be an array of paths/], [{ 0: [7] }, /must be an array of paths/], [['variables.f.0'], /must be an object/]] as const) {
      const req = Object.assign(new PassThrough(), { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, complete: false });
      const parsed = parseMultipart(req as unknown as IncomingMessage, 10);
      req.end(part('operations', JSON.stringify({ query: 'q', variables: { f: [null] } })) + part('map', JSON.stringify(map)) + `--${BOUNDARY}--\r\n`);
      await assert.rejects(parsed, (e: unknown) => e instanceof MultipartError && e.status === 400 && why.test(e.message));
    }
  });

  it('answers a request whose body ends while its map is still being made', async () => {
    const n = 3 * MAP_ENTRIES_PER_TURN;
    const req = Object.assign(new PassThrough(), { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, complete: false });
    const parsed = parseMultipart(req as unknown as IncomingMessage, n);
    req.complete = true;
    // only the first file is in the body: the others are missing, which their uploads say
    req.end(part('operations', JSON.stringify({ query: 'q', variables: { f: Array(n).fill(null) } }))
      + part('map', JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), [`variables.f.${i}`]]))))
      + part('0', 'only one', 'a.txt') + `--${BOUNDARY}--\r\n`);
    const { operations, done } = await parsed;
    const uploads = (operations as { variables: { f: Upload[] } }).variables.f;
    const first = await uploads[0].promise;
    let text = '';
    for await (const c of first.stream) text += String(c);
    assert.equal(text, 'only one');
    await done;
    await assert.rejects(uploads[n - 1].promise, new RegExp(`file '${n - 1}' missing from the request`));
  });
});
