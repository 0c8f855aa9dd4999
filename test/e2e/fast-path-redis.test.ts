// The fast path over an async swarm store (Redis): replies are written in order, after a
// client's half-close too, and nothing runs after a reply that closes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { databaseKinds } from '../helpers/databases.js';
import { exchangeUntilClosed, statusLines } from '../helpers/raw-http.js';
import { deletePrefix, redisSkip, TEST_REDIS_URL } from '../helpers/redis.js';
import { registerViaCli, startTestServer, type TestServer } from '../helpers/test-server.js';
import { announceUrl } from '../helpers/tracker-client.js';

const skip = redisSkip();

describe('tracker fast path over the Redis swarm store', { skip }, () => {
  let t: TestServer;
  let hash: string;
  const prefix = `seedhost-test-${randomBytes(4).toString('hex')}:`;
  const request = (port: number, extra = ''): string => {
    const u = new URL(announceUrl('http://x/announce', { infoHash: hash, peerId: `-XX0001-${port}`, port, left: 1 }));
    return `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
  };
  const ports = async (): Promise<number[]> => (await t.server.store.peers(hash)).map((p) => p.port);

  before(async () => {
    t = await startTestServer(databaseKinds()[0], { REDIS_URL: TEST_REDIS_URL as string, REDIS_PREFIX: prefix });
    hash = await registerViaCli(t);
  });
  after(async () => {
    await t.close();
    const r = new Redis(TEST_REDIS_URL as string);
    await deletePrefix(r, prefix);
    await r.quit();
  });

  it('writes every async reply to a client that half-closed after its requests', async () => {
    const raw = (await exchangeUntilClosed(t.server.port, request(7001) + request(7002) + request(7003), true)).toString('latin1');
    assert.deepEqual(statusLines(raw), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    assert.equal((raw.match(/8:intervali/g) ?? []).length, 3);
    assert.match(raw, /Connection: close\r\n\r\n[^]*$/, 'the last reply closes');
    assert.deepEqual((await ports()).filter((p) => p >= 7001 && p <= 7003).sort(), [7001, 7002, 7003]);
  });

  it('runs nothing pipelined after an async reply that closes', async () => {
    const raw = (await exchangeUntilClosed(t.server.port, request(7011, 'Connection: close\r\n') + request(7012))).toString('latin1');
    assert.deepEqual(statusLines(raw), ['HTTP/1.1 200 OK']);
    const p = await ports();
    assert.ok(p.includes(7011) && !p.includes(7012));
  });
});
