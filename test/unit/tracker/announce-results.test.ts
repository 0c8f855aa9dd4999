// The results an asynchronous store fills are lent from a pool and given back once the reply is
// written (tracker/announce.ts releaseResult): a reply never carries another announce's counts or
// peers, in the wave that fills the pool nor in the waves that reuse it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { handleAnnounce } from '../../../server/tracker/announce.js';
import type { AnnounceRequest } from '../../../server/tracker/announce-request.js';
import { CompletedTally } from '../../../server/tracker/completed-tally.js';
import type { TrackerContext } from '../../../server/tracker/tracker-context.js';
import { TrackerStats } from '../../../server/tracker/tracker-stats.js';
import { bdecode } from '../../helpers/bdecode.js';
import { redisSkip, testRedisStore } from '../../helpers/redis.js';

const req = (infoHash: string, port: number, left: number): AnnounceRequest => ({
  infoHash, peerId: Buffer.from(`-LT2080-${String(port).padStart(12, '0')}`), port, uploaded: 0, downloaded: 0, left, event: '',
  numwant: 50, compact: true, noPeerId: false, ip: null, key: null,
});

describe('announce results on an asynchronous store', { skip: redisSkip() }, () => {
  const store = redisSkip() === false ? testRedisStore({ views: false }) : undefined;
  // swarm i holds i seeders (ports 1000 * (i + 1) + k): a reply for it lists them and the leechers of earlier waves, all its own
  const hashes = Array.from({ length: 12 }, () => randomBytes(20).toString('hex'));
  let ctx: TrackerContext;
  before(async () => {
    ctx = {
      store: store as NonNullable<typeof store>, registered: new Set(hashes), completed: new CompletedTally(),
      interval: 1800, minInterval: 900, stats: new TrackerStats(),
    };
    await Promise.all(hashes.flatMap((h, i) => Array.from({ length: i }, (_, k) => handleAnnounce(req(h, 1000 * (i + 1) + k, 0), `10.1.${i}.${k + 1}`, ctx))));
  });
  after(async () => {
    await store?.close();
  });

  it('gives each reply its own swarm, wave after wave of announces in flight together', async () => {
    for (let wave = 0; wave < 4; wave++) {
      // a leecher per swarm; the largest swarms go first and the empty last, so a reused result
      // that kept its peers would show them in a smaller swarm's reply
      const order = hashes.map((h, i) => ({ h, i })).reverse();
      const replies = await Promise.all(order.map(({ h, i }) => handleAnnounce(req(h, 50_000 + wave * 100 + i, 10), '10.0.0.2', ctx)));
      replies.forEach((bytes, n) => {
        const { i } = order[n];
        const d = bdecode(bytes as Buffer) as Record<string, number | Buffer>;
        const peers = d.peers as Buffer;
        const ports = Array.from({ length: peers.length / 6 }, (_, k) => peers.readUInt16BE(k * 6 + 4)).sort((a, b) => a - b);
        const seeders = Array.from({ length: i }, (_, k) => 1000 * (i + 1) + k);
        const earlier = Array.from({ length: wave }, (_, w) => 50_000 + w * 100 + i); // the leechers of the waves before
        assert.deepEqual(ports, [...seeders, ...earlier], `wave ${wave}, swarm ${i}`);
        assert.equal(d.complete, i, `wave ${wave}, swarm ${i}`);
        assert.equal(d.incomplete, wave + 1, `wave ${wave}, swarm ${i}: this wave's leecher and the earlier ones`);
      });
    }
  });
});
