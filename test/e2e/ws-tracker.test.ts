// The WebSocket (webtorrent) tracker with npm bittorrent-tracker's own client, on the memory store
// and on Redis: announce and counts, offers relayed to other browsers, answers relayed back to the
// offerer, completed, swarmUpdated, scrape, stop, unregistered info hashes (a failure reason, then the socket
// closed), and that browsers and BitTorrent clients share counts but never each other's peer lists.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Client } from 'bittorrent-tracker';
import { announce } from '../helpers/tracker-client.js';
import { primed, wsClient } from '../helpers/graphql-client.js';
import { databaseKinds } from '../helpers/databases.js';
import { closeAndClearRedis, redisSkip, storeBackends } from '../helpers/redis.js';
import { registerViaCli, startTestServer, type TestServer } from '../helpers/test-server.js';
import { waitUntil } from '../helpers/wait.js';
import { bin, rawTrackerSocket, trackerClient, type TrackerClient } from '../helpers/ws-tracker-client.js';

const SWARM_UPDATED = 'subscription($h: String) { swarmUpdated(infoHash: $h) { infoHash seeders leechers completed } }';

void redisSkip(); // under CI a missing TEST_REDIS_URL fails here instead of running memory alone

for (const backend of storeBackends()) {
  describe(`WebSocket tracker (${backend.name} store)`, () => {
    let t: TestServer;
    let ws: string;
    const open: TrackerClient[] = [];
    const client = (hash: string, name: string, opts: { left?: number; numwant?: number } = {}): TrackerClient => {
      const c = trackerClient(ws, hash, name, opts);
      open.push(c);
      return c;
    };
    const counts = async (hash: string) => (await t.server.store.scrape([hash]))[0];

    before(async () => {
      t = await startTestServer(databaseKinds()[0], backend.env());
      ws = t.baseUrl.replace(/^http:/, 'ws:') + '/announce';
    });
    after(async () => {
      await Promise.all(open.map((c) => c.close()));
      await closeAndClearRedis(t);
    });

    it('counts a browser in the swarm and answers with interval and counts', async () => {
      const hash = await registerViaCli(t);
      const a = client(hash, 'a');
      a.client.start();
      assert.ok(await waitUntil(() => a.updates.length > 0), `no announce reply: ${a.warnings.join('; ')}`);
      assert.equal(a.updates[0].incomplete, 1);
      assert.equal(a.updates[0].complete, 0);
      assert.equal(a.updates[0].interval, 120);
      assert.deepEqual(await counts(hash), { complete: 0, incomplete: 1, downloaded: 0 });
      // an HTTP client sees the browser in the counts but gets no peer to dial
      const d = await announce(t.announceUrl, { infoHash: hash, peerId: `-TR3000-${randomBytes(6).toString('hex')}`, port: 6881, left: 0, compact: 1, numwant: 50 });
      assert.equal(d.incomplete, 1);
      assert.equal(d.complete, 1);
      assert.equal((d.peers as Buffer).length, 0);
      assert.equal(d.peers6 === undefined ? 0 : (d.peers6 as Buffer).length, 0);
      // ... and the browser's next offers never go to the HTTP client (there is nobody else to send them to)
      const before = t.server.wsTracker.stats.offersRelayed;
      a.client.update();
      assert.ok(await waitUntil(() => a.updates.length > 1));
      assert.equal(t.server.wsTracker.stats.offersRelayed, before);
      assert.deepEqual(await counts(hash), { complete: 1, incomplete: 1, downloaded: 0 });
    });

    it('relays offers to other browsers and their answers back to the offerer', async () => {
      const hash = await registerViaCli(t);
      const seed = client(hash, 'seed', { left: 0 });
      seed.client.start();
      assert.ok(await waitUntil(() => seed.updates.length > 0), seed.warnings.join('; '));
      const leech = client(hash, 'leech');
      leech.client.start();
      // the leecher's offers reach the seeder (one per peer: the seeder is the only one), which answers
      assert.ok(await waitUntil(() => seed.peers.length > 0), `no offer reached the seeder: ${seed.warnings.join('; ')}`);
      const atSeed = seed.peers[0];
      assert.equal(atSeed.id, leech.peerId);
      assert.ok(leech.offers.some((o) => o.sdp === atSeed.remote?.sdp), 'the seeder got an offer the leecher did not make');
      // the answer reaches the leecher's offering peer, matched by offer_id
      assert.ok(await waitUntil(() => leech.peers.length > 0), `no answer reached the leecher: ${leech.warnings.join('; ')}`);
      const offerer = leech.peers[0];
      assert.equal(offerer.id, seed.peerId);
      assert.equal(offerer.remote?.sdp, `${atSeed.sdp}-for-${offerer.sdp}`);
      assert.equal(seed.peers.length, 1, 'one offer per other peer');
      assert.deepEqual(await counts(hash), { complete: 1, incomplete: 1, downloaded: 0 });
    });

    it('counts a completion, scrapes, and drops a browser that stops or disconnects', async () => {
      const hash = await registerViaCli(t);
      const a = client(hash, 'ca');
      const b = client(hash, 'cb');
      a.client.start();
      b.client.start();
      assert.ok(await waitUntil(async () => (await counts(hash)).incomplete === 2), 'two leechers');
      b.state.left = 0;
      b.client.complete();
      assert.ok(await waitUntil(async () => (await counts(hash)).downloaded === 1), 'completed counted');
      assert.deepEqual(await counts(hash), { complete: 1, incomplete: 1, downloaded: 1 });
      const scraped = await new Promise<Record<string, unknown>>((resolve, reject) => {
        Client.scrape({ announce: `${ws}?scrape`, infoHash: hash, wrtc: {} }, (err, data) => (err ? reject(err) : resolve(data)));
      });
      assert.deepEqual([scraped.complete, scraped.incomplete, scraped.downloaded], [1, 1, 1]);
      a.client.stop();
      assert.ok(await waitUntil(async () => (await counts(hash)).incomplete === 0), 'stopped: left the swarm');
      await b.close(); // the socket closes: its peer leaves
      assert.ok(await waitUntil(async () => (await counts(hash)).complete === 0), 'disconnected: left the swarm');
    });

    it('pushes swarmUpdated for browsers joining and completing', async () => {
      const hash = await registerViaCli(t);
      const gqlWs = await wsClient(t.baseUrl);
      const sub = gqlWs.subscribe<{ completed: number; seeders: number; leechers: number }>(SWARM_UPDATED, { h: hash });
      try {
        await primed(sub, (i) => announce(t.announceUrl, { infoHash: hash, peerId: `-TR3000-prime${i}`, port: 7100 + i, left: 5, event: 'started' }));
        const b = client(hash, 'sub');
        b.client.start();
        await sub.waitFor((e) => e.leechers >= 2);
        b.state.left = 0;
        b.client.complete();
        const e = await sub.waitFor((x) => x.completed === 1);
        assert.equal(e.seeders, 1);
      } finally {
        sub.close();
        await gqlWs.close();
      }
    });

    it('refuses an unregistered info hash with a failure reason and closes a socket that keeps asking', async () => {
      const stranger = client(randomBytes(20).toString('hex'), 'x');
      stranger.client.start();
      assert.ok(await waitUntil(() => stranger.warnings.includes('unregistered torrent')), stranger.warnings.join('; '));
      const raw = await rawTrackerSocket(ws);
      for (let i = 0; i < 5; i++) raw.send({ action: 'announce', info_hash: bin(randomBytes(20).toString('hex')), peer_id: bin(randomBytes(20).toString('hex')), numwant: 0, offers: [] });
      const closed = await raw.closed;
      assert.equal(closed.code, 1008);
      assert.equal(closed.reason, 'too many unregistered torrents');
      assert.equal(raw.received.length, 5);
      assert.ok(raw.received.every((m) => m['failure reason'] === 'unregistered torrent' && m.action === 'announce'));
    });
  });
}
