// One address cannot fill a swarm: real HTTP announces from many ports of one address (IPv4, or
// an IPv6 /64 through a trusted proxy) keep that address at MAX_PEERS_PER_ADDRESS, the newest
// ports replacing the oldest, while other addresses keep their peers. Memory store, and Redis
// when TEST_REDIS_URL is set.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_PEERS_PER_ADDRESS } from '../../server/tracker/peer-store.js';
import { databaseKinds } from '../helpers/databases.js';
import { closeAndClearRedis, storeBackends } from '../helpers/redis.js';
import { registerViaCli, startTestServer, type TestServer } from '../helpers/test-server.js';
import { announce, compactPeers, failureOf, scrape } from '../helpers/tracker-client.js';

const backends = storeBackends();

for (const backend of backends) {
  describe(`peers per address (${backend.name} store)`, () => {
    let t: TestServer;
    let hash: string;
    const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 3));
    /** Announces from 127.0.0.1 itself, or (through the trusted proxy 127.0.0.2) for `forwarded`. */
    const send = async (port: number, opts: { forwarded?: string; from?: string; left?: number; event?: string } = {}) => {
      const d = await announce(t.announceUrl, { infoHash: hash, peerId: `-XX0001-${String(port).padStart(12, '0')}`, port, left: opts.left ?? 10, event: opts.event, numwant: 200 },
        opts.forwarded === undefined ? undefined : { 'X-Forwarded-For': opts.forwarded }, opts.forwarded === undefined ? opts.from : '127.0.0.2');
      assert.equal(failureOf(d), null, `announce from port ${port}`);
      return d;
    };
    const swarmSize = async (): Promise<number> => {
      const c = Object.values(await scrape(t.baseUrl + '/scrape', [hash]))[0];
      return c.complete + c.incomplete;
    };
    before(async () => {
      t = await startTestServer(databaseKinds()[0], { TRUSTED_PROXIES: '127.0.0.2', ...backend.env() });
      hash = await registerViaCli(t);
    });
    after(() => closeAndClearRedis(t));

    it('keeps one address at the limit however many ports it announces from, newest ports kept', async () => {
      for (let port = 20000; port < 20040; port++) {
        await send(port);
        assert.ok((await swarmSize()) <= MAX_PEERS_PER_ADDRESS, `after port ${port}`);
        await pause();
      }
      assert.equal(await swarmSize(), MAX_PEERS_PER_ADDRESS);
      const ports = Array.from({ length: MAX_PEERS_PER_ADDRESS }, (_, i) => `127.0.0.1:${20040 - MAX_PEERS_PER_ADDRESS + i}`);
      const seen = compactPeers((await send(21000, { from: '127.0.0.3' })).peers).sort();
      assert.deepEqual(seen, ports.sort());
    });

    it('lets a client restarted on a new port in at once, replacing its oldest port', async () => {
      await send(20032); // re-announces: now the most recent of 127.0.0.1's ports
      await pause();
      const d = await send(22000, { left: 0, event: 'started' });
      assert.equal(failureOf(d), null);
      const ours = compactPeers((await send(21001, { from: '127.0.0.3' })).peers).filter((p) => p.startsWith('127.0.0.1:')).sort();
      assert.equal(ours.length, MAX_PEERS_PER_ADDRESS);
      assert.ok(ours.includes('127.0.0.1:22000') && ours.includes('127.0.0.1:20032') && !ours.includes('127.0.0.1:20033'), ours.join(' '));
    });

    it('leaves the peers of other addresses alone', async () => {
      for (let port = 23000; port < 23040; port++) await send(port);
      const byAddress = new Map<string, number>();
      for (const p of compactPeers((await send(21002, { from: '127.0.0.3' })).peers)) {
        const ip = p.slice(0, p.lastIndexOf(':'));
        byAddress.set(ip, (byAddress.get(ip) ?? 0) + 1);
      }
      assert.deepEqual([...byAddress].sort(), [['127.0.0.1', MAX_PEERS_PER_ADDRESS], ['127.0.0.3', 2]]);
    });

    it('counts an IPv6 /64 as one address, and another /64 apart', async () => {
      const before = await swarmSize();
      for (let i = 1; i <= 30; i++) await send(24000 + i, { forwarded: `2001:db8:1:2:${i.toString(16)}::${i.toString(16)}` });
      assert.equal(await swarmSize(), before + MAX_PEERS_PER_ADDRESS);
      await send(25000, { forwarded: '2001:db8:1:3::1' });
      assert.equal(await swarmSize(), before + MAX_PEERS_PER_ADDRESS + 1);
      const six = compactPeers((await send(21003, { from: '127.0.0.3' })).peers6, true);
      assert.equal(six.length, MAX_PEERS_PER_ADDRESS + 1);
      assert.ok(six.includes('2001:db8:1:3:0:0:0:1:25000'), six.join(' '));
    });
  });
}
