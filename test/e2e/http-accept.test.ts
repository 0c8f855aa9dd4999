// The whole server on either accept (HTTP_ACCEPT): a closing announce answered, a keep-alive
// connection reused, and a shutdown that ends an idle keep-alive connection and then completes.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { acceptAddon } from '../../server/http/native-front.js';
import { databaseKinds } from '../helpers/databases.js';
import { startTestServer } from '../helpers/test-server.js';
import { announceUrl } from '../helpers/tracker-client.js';

const noAddon = acceptAddon() === null && process.env.CI !== 'true' ? 'the HTTP accept addon is not built: run npm run build:native' : false;

function readAll(c: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    c.on('data', (d) => (got += d.toString('latin1')));
    c.on('end', () => resolve(got));
    c.on('error', reject);
  });
}

for (const mode of ['native', 'node'] as const) {
  describe(`HTTP_ACCEPT=${mode}`, { skip: mode === 'native' ? noAddon : false }, () => {
    it('answers a closing announce, reuses a keep-alive connection, and shuts down around an idle one', async () => {
      const t = await startTestServer(databaseKinds()[0], { HTTP_ACCEPT: mode });
      let closed = false;
      try {
        assert.equal(t.server.httpIo, mode);
        const hash = 'ab'.repeat(20);
        const target = (p: number): string => {
          const u = new URL(announceUrl(t.announceUrl, { infoHash: hash, peerId: `-XX0001-${String(p).padStart(12, '0')}`, port: p, left: 1 }));
          return `${u.pathname}${u.search}`;
        };
        const c = net.connect(t.server.port, '127.0.0.1', () => c.write(`GET ${target(7100)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        const reply = await readAll(c);
        assert.match(reply, /^HTTP\/1\.1 200 OK[^]*Connection: close[^]*failure reason/, 'answered (a closed tracker: unregistered torrent)');

        const k = net.connect(t.server.port, '127.0.0.1');
        const all = readAll(k);
        let seen = '';
        k.on('data', (d) => (seen += d.toString('latin1')));
        await new Promise((r) => k.once('connect', r));
        k.write(`GET ${target(7101)} HTTP/1.1\r\nHost: x\r\n\r\n`);
        while (!seen.includes('failure reason')) await new Promise((r) => setTimeout(r, 10));
        k.write(`GET ${target(7101)} HTTP/1.1\r\nHost: x\r\n\r\n`);
        while (seen.split('failure reason').length < 3) await new Promise((r) => setTimeout(r, 10));
        assert.match(seen, /Connection: keep-alive/);
        const t0 = performance.now();
        await t.close();
        closed = true;
        assert.ok(performance.now() - t0 < 7000, 'the shutdown did not wait for its 8 s deadline');
        await all; // the idle keep-alive connection was ended by the server
      } finally {
        if (!closed) await t.close();
      }
    });
  });
}
