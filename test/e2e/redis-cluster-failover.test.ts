// A server on a private Redis Cluster (3 masters, one replica each) while the master of a
// torrent's slot is killed: announces fail only until the replica is promoted and the client has
// the new slot map (the window README's Redis Cluster section documents), acknowledged completed
// counts survive (a batch that raised one waited for the replica), and peers are back once each
// has announced again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { slotOfTag } from '../../server/redis/slots.js';
import { databaseKinds } from '../helpers/databases.js';
import { redisClusterSkip, startRedisCluster } from '../helpers/redis-cluster.js';
import { registerViaCli, startTestServer } from '../helpers/test-server.js';
import { announce, failureOf, scrape } from '../helpers/tracker-client.js';
import { waitUntil } from '../helpers/wait.js';

const skip = redisClusterSkip();
// one address holds at most MAX_PEERS_PER_ADDRESS (8) peers of a swarm
const PEERS = 8;

/** The master's and its replica's ports for `slot`, as a node of the cluster sees them. */
async function portsOfSlot(port: number, slot: number): Promise<{ master: number; replica: number | undefined }> {
  const r = new Redis(port, '127.0.0.1');
  try {
    const ranges = await r.cluster('SLOTS') as unknown as [number, number, [string, number], ...[string, number][]][];
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    assert.ok(range, `no node serves slot ${slot}`);
    return { master: range[2][1], replica: range[3]?.[1] };
  } finally {
    r.disconnect();
  }
}

const isMaster = async (port: number): Promise<boolean> => {
  const r = new Redis(port, '127.0.0.1', { lazyConnect: true });
  try {
    await r.connect();
    return /^role:master$/m.test(await r.info('replication'));
  } finally {
    r.disconnect();
  }
};

describe('a Redis Cluster failover', { skip }, () => {
  it('fails announces only until the replica serves, keeps acknowledged completed counts, and gets the peers back', async () => {
    const cluster = await startRedisCluster(3, 1);
    const t = await startTestServer(databaseKinds()[0], { REDIS_CLUSTER_NODES: cluster.nodes, COMPLETED_FLUSH_INTERVAL: '1', LOG_LEVEL: 'silent' });
    try {
      const infoHash = await registerViaCli(t);
      const { master, replica } = await portsOfSlot(cluster.ports[0], slotOfTag(infoHash));
      assert.ok(replica !== undefined, 'the master has a replica');

      // each peer announces in turn; a leecher that announces a second time completes
      let next = 0, acked = 0, attempted = 0, stop = false, killed = false, promoted = false;
      const seen: { ok: boolean; afterPromotion: boolean }[] = [];
      const left = new Array<number>(PEERS).fill(1000);
      const one = async (): Promise<boolean> => {
        const i = next++ % PEERS;
        const completing = left[i] > 0 && next > PEERS;
        if (completing) attempted++;
        const r = await announce(t.announceUrl, {
          infoHash, peerId: `-TT0001-fo${String(i).padStart(6, '0')}`, port: 7500 + i,
          left: completing ? 0 : left[i], ...(completing ? { event: 'completed' as const } : {}),
        });
        const ok = failureOf(r) === null;
        seen.push({ ok, afterPromotion: promoted });
        if (ok && completing) {
          left[i] = 0;
          acked++;
        }
        return ok;
      };
      const pump = (async () => {
        while (!stop) {
          await one();
          if (!killed) await new Promise((res) => setTimeout(res, 5));
        }
      })();

      assert.ok(await waitUntil(() => acked >= 4, 10_000), 'completions are acknowledged before the failover');
      killed = true;
      await cluster.kill(master);
      assert.ok(await waitUntil(() => isMaster(replica), 20_000, 100), 'the replica was promoted');
      promoted = true;
      // the first success after the promotion ends the window; the next ones must all succeed
      assert.ok(await waitUntil(() => seen.some((s) => s.afterPromotion && s.ok), 20_000), 'announces succeed again');
      const from = seen.findIndex((s) => s.afterPromotion && s.ok);
      await waitUntil(() => seen.length > from + 3 * PEERS && acked >= PEERS / 2, 20_000);
      stop = true;
      await pump;
      const after = seen.slice(from);
      assert.ok(after.length > 3 * PEERS);
      assert.deepEqual(after.filter((s) => !s.ok).length, 0, 'no announce failed after the window');

      // every acknowledged completion is counted (one whose reply was lost may count too)
      const [s] = Object.values(await scrape(`${t.baseUrl}/scrape`, [infoHash]));
      assert.ok(s.downloaded >= acked && s.downloaded <= attempted, `downloaded ${s.downloaded}, acknowledged ${acked}, attempted ${attempted}`);
      // each peer has announced again since: all of them are in the swarm
      assert.equal(s.complete + s.incomplete, PEERS);
      const flushed = async (): Promise<number> => Number((await t.server.ds.query(`SELECT completed FROM torrents WHERE info_hash = '${infoHash}'`))[0].completed);
      assert.ok(await waitUntil(async () => (await flushed()) === s.downloaded, 8000), 'the database has the count');
    } finally {
      await t.close();
      await cluster.stop();
    }
  });
});
