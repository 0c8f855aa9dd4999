// A hybrid's v2 announce hash is an alias of its infoHash (docs/v2-torrents.md): announces under
// it land in the torrent's one swarm, and a v1 announce never reads the alias map.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAnnounce } from '../../../server/tracker/announce.js';
import type { AnnounceRequest } from '../../../server/tracker/announce-request.js';
import { CompletedTally } from '../../../server/tracker/completed-tally.js';
import { UnregisteredTorrent } from '../../../server/tracker/errors.js';
import { MemoryPeerStore } from '../../../server/tracker/memory-peer-store.js';
import { handleScrape } from '../../../server/tracker/scrape.js';
import type { TrackerContext } from '../../../server/tracker/tracker-context.js';
import { TrackerStats } from '../../../server/tracker/tracker-stats.js';

const V1 = 'a1'.repeat(20);
const CUT = 'b2'.repeat(20);

/** An alias map that counts its reads. */
class CountingMap extends Map<string, string> {
  reads = 0;
  override get(k: string): string | undefined {
    this.reads++;
    return super.get(k);
  }
  override has(k: string): boolean {
    this.reads++;
    return super.has(k);
  }
}

const req = (infoHash: string, port: number, left: number, event: AnnounceRequest['event'] = 'started'): AnnounceRequest => ({
  infoHash, peerId: Buffer.from(`-LT2080-${String(port).padStart(12, '0')}`), port, uploaded: 0, downloaded: 0, left, event,
  numwant: 50, compact: true, noPeerId: false, ip: null, key: 'k1',
});

function context(): { ctx: TrackerContext; aliases: CountingMap; changed: string[] } {
  const aliases = new CountingMap([[CUT, V1]]);
  const changed: string[] = [];
  const ctx: TrackerContext = {
    store: new MemoryPeerStore(), registered: new Set([V1]), v2Aliases: aliases, completed: new CompletedTally(),
    interval: 1800, minInterval: 900, stats: new TrackerStats(), onSwarmChange: (h) => changed.push(h),
  };
  return { ctx, aliases, changed };
}

describe('v2 aliases in the tracker core', () => {
  it('never reads the alias map for an announce or scrape of a registered (v1) hash', () => {
    const { ctx, aliases } = context();
    for (let p = 1; p <= 20; p++) applyAnnounce(req(V1, 6000 + p, p % 2), '127.0.0.1', ctx);
    handleScrape([V1], ctx, '127.0.0.1');
    assert.equal(aliases.reads, 0);
  });

  it('puts both announces of one peer into one swarm: counted once, events and completions under the infoHash', () => {
    const { ctx, changed } = context();
    applyAnnounce(req(V1, 7000, 10), '127.0.0.1', ctx);
    const r = applyAnnounce(req(CUT, 7000, 10), '127.0.0.1', ctx);
    assert.deepEqual([(r as { complete: number }).complete, (r as { incomplete: number }).incomplete], [0, 1]);
    applyAnnounce(req(V1, 7000, 0, 'completed'), '127.0.0.1', ctx);
    applyAnnounce(req(CUT, 7000, 0, 'completed'), '127.0.0.1', ctx);
    assert.deepEqual(ctx.store.scrape([V1]), [{ complete: 1, incomplete: 0, downloaded: 1 }]);
    assert.deepEqual(ctx.completed.drain(), new Map([[V1, 1]]));
    assert.ok(changed.length > 0 && changed.every((h) => h === V1), changed.join());
  });

  it('scrapes under the alias with the torrent\'s counts, keyed by the hash asked for; other hashes stay unregistered', () => {
    const { ctx } = context();
    applyAnnounce(req(CUT, 7001, 0), '127.0.0.1', ctx);
    const reply = handleScrape([CUT], ctx, '127.0.0.1') as Buffer;
    assert.ok(reply.includes(Buffer.from(CUT, 'hex')));
    assert.match(reply.toString('latin1'), /completei1e10:downloadedi0e10:incompletei0e/);
    assert.throws(() => applyAnnounce(req('c3'.repeat(20), 7002, 0), '127.0.0.1', ctx), UnregisteredTorrent);
  });
});
