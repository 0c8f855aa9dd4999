// The WebSocket tracker's bounds (server/ws-tracker/ws-limits.ts, docs/ws-tracker.md), crossed on
// purpose with raw sockets (webtorrent's client never crosses them): message size, sockets per
// address, idle sockets, announce rate, offers per announce. Memory and Redis stores.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { closeAndClearRedis, storeBackends } from '../helpers/redis.js';
import { registerViaCli, startTestServer, type TestServer } from '../helpers/test-server.js';
import { waitUntil } from '../helpers/wait.js';
import { bin, rawTrackerSocket, type RawTrackerSocket } from '../helpers/ws-tracker-client.js';
import {
  setWsTrackerTimings, WS_ANNOUNCE_BURST, WS_MAX_OFFERS_RELAYED, WS_RATE_STRIKES, WS_TRACKER_MAX_MESSAGE_BYTES, WS_TRACKER_SOCKETS_PER_ADDRESS,
} from '../../server/ws-tracker/ws-limits.js';

const IDLE_MS = 600;

for (const backend of storeBackends()) {
  describe(`WebSocket tracker bounds (${backend.name} store)`, () => {
    let t: TestServer;
    let ws: string;
    let hash: string;
    let sockets: RawTrackerSocket[] = [];
    const open = async (): Promise<RawTrackerSocket> => {
      const s = await rawTrackerSocket(ws);
      sockets.push(s);
      return s;
    };
    const announce = (s: RawTrackerSocket, extra: Record<string, unknown> = {}, peerId = randomBytes(20).toString('hex')): string => {
      s.send({ action: 'announce', info_hash: bin(hash), peer_id: bin(peerId), left: 10, event: 'started', numwant: 0, offers: [], ...extra });
      return peerId;
    };
    const closeAll = async (): Promise<void> => {
      for (const s of sockets) s.ws.terminate();
      sockets = [];
      await waitUntil(() => t.server.wsTracker.sockets() === 0);
    };

    before(async () => {
      setWsTrackerTimings({ idleMs: IDLE_MS, sweepMs: 100 });
      t = await startTestServer(databaseKinds()[0], backend.env());
      ws = t.baseUrl.replace(/^http:/, 'ws:') + '/announce';
      hash = await registerViaCli(t);
    });
    after(async () => {
      await closeAll();
      await closeAndClearRedis(t);
    });

    it('closes a socket that sends a message over the size limit (1009)', async () => {
      const s = await open();
      s.send('x'.repeat(WS_TRACKER_MAX_MESSAGE_BYTES + 1));
      assert.equal((await s.closed).code, 1009);
      await closeAll();
    });

    it(`refuses socket ${WS_TRACKER_SOCKETS_PER_ADDRESS + 1} from one address with HTTP 429`, async () => {
      for (let i = 0; i < WS_TRACKER_SOCKETS_PER_ADDRESS; i++) await open();
      await assert.rejects(rawTrackerSocket(ws), /429/);
      await closeAll();
      await open(); // room again once the others are gone
      await closeAll();
    });

    it('closes an idle socket (1000, idle) and its peer leaves the swarm', async () => {
      const s = await open();
      const start = Date.now(); // the server sees the announce after this: the idle time runs from then
      announce(s);
      assert.ok(await waitUntil(() => s.received.length === 1));
      assert.equal((await t.server.store.scrape([hash]))[0].incomplete, 1);
      const closed = await s.closed;
      assert.deepEqual(closed, { code: 1000, reason: 'idle' });
      assert.ok(Date.now() - start >= IDLE_MS, `closed after ${Date.now() - start} ms`);
      assert.ok(await waitUntil(async () => (await t.server.store.scrape([hash]))[0].incomplete === 0));
      await closeAll();
    });

    it(`answers ${WS_ANNOUNCE_BURST} announces at once, refuses the next, and closes a socket that keeps on`, async () => {
      const s = await open();
      const peerId = randomBytes(20).toString('hex');
      for (let i = 0; i < WS_ANNOUNCE_BURST + 1; i++) announce(s, { event: i === 0 ? 'started' : undefined }, peerId);
      assert.ok(await waitUntil(() => s.received.length === WS_ANNOUNCE_BURST + 1));
      // (over Redis the refusal, answered at once, may come before the replies)
      assert.equal(s.received.filter((m) => m['failure reason'] === undefined && typeof m.complete === 'number').length, WS_ANNOUNCE_BURST);
      assert.deepEqual(s.received.filter((m) => m['failure reason'] !== undefined).map((m) => m['failure reason']), ['announce rate exceeded']);
      for (let i = 0; i < WS_RATE_STRIKES; i++) announce(s, {}, peerId);
      assert.equal((await s.closed).code, 1008);
      await closeAll();
    });

    it(`relays at most ${WS_MAX_OFFERS_RELAYED} offers of one announce`, async () => {
      const listeners: RawTrackerSocket[] = [];
      for (let i = 0; i < WS_MAX_OFFERS_RELAYED + 5; i++) {
        const l = await open();
        announce(l);
        listeners.push(l);
      }
      assert.ok(await waitUntil(() => listeners.every((l) => l.received.length === 1)));
      const s = await open();
      const offers = Array.from({ length: WS_MAX_OFFERS_RELAYED + 5 }, (_, i) => ({ offer: { type: 'offer', sdp: `sdp-${i}` }, offer_id: bin(randomBytes(20).toString('hex')) }));
      const from = announce(s, { offers, numwant: offers.length });
      assert.ok(await waitUntil(() => s.received.length === 1));
      await new Promise((r) => setTimeout(r, 200));
      const relayed = listeners.flatMap((l) => l.received.slice(1));
      assert.equal(relayed.length, WS_MAX_OFFERS_RELAYED);
      assert.ok(relayed.every((m) => m.peer_id === bin(from) && m.info_hash === bin(hash) && (m.offer as { sdp: string }).sdp.startsWith('sdp-')));
      assert.equal(new Set(relayed.map((m) => (m.offer as { sdp: string }).sdp)).size, WS_MAX_OFFERS_RELAYED, 'each offer to one peer');
      await closeAll();
    });
  });
}
