import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MAX_UNREAD_FILES, parseMultipart } from '../../../server/graphql/multipart.js';
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
});
