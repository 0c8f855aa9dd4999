// The Redis store while a Redis Cluster moves hash slots to a new master (resharding, how a
// cluster grows): no announce fails, none is applied twice, no key of a moving slot is created on
// the node it leaves, and the move itself (MIGRATE) never meets a key on both nodes. Announces of a
// slot in the middle of its move wait for it; a slot that never settles fails them after the
// resends (announce-batch.ts RESENDS), with nothing written. And when the link to a master breaks
// under the store, its calls go through the cluster client, which reconnects.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { RESENDS } from '../../server/redis/announce-batch.js';
import { RedisPeerStore } from '../../server/redis/redis-peer-store.js';
import { slotOfTag } from '../../server/redis/slots.js';
import { AnnounceResult, type PeerAnnounce } from '../../server/tracker/peer-store.js';
import { deleteClusterPrefix, redisClusterSkip, startRedisCluster, type TestCluster } from '../helpers/redis-cluster.js';
import { waitUntil } from '../helpers/wait.js';

const skip = redisClusterSkip();

const hashInSlot = (slot: number): string => {
  for (;;) {
    const h = randomBytes(20).toString('hex');
    if (slotOfTag(h) === slot) return h;
  }
};

const peer = (infoHash: string, i: number, left: number, over: Partial<PeerAnnounce> = {}): PeerAnnounce => ({
  infoHash, peerId: Buffer.from(`-TT0001-${String(i).padStart(12, '0')}`), ip: `10.1.${i >> 8}.${i & 255}`, port: 6881,
  uploaded: 0, downloaded: 0, left, event: 'started', numwant: 50, wantPeerIds: false, ...over,
});

describe('the Redis store while a cluster reshards', { skip }, () => {
  let cluster: TestCluster, client: Cluster, store: RedisPeerStore, prefix: string;
  const nodes = new Map<number, Redis>();
  const node = (port: number): Redis => nodes.get(port) ?? nodes.set(port, new Redis(port, '127.0.0.1')).get(port) as Redis;
  /** The port of the master serving `slot`, as the first node sees it. */
  const ownerOf = async (slot: number): Promise<number> => {
    const ranges = await node(cluster.ports[0]).cluster('SLOTS') as unknown as [number, number, [string, number]][];
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    assert.ok(range, `no node serves slot ${slot}`);
    return range[2][1];
  };
  const idOf = async (port: number): Promise<string> => String(await node(port).cluster('MYID'));
  const keysIn = async (port: number, slot: number): Promise<number> => Number(await node(port).cluster('COUNTKEYSINSLOT', slot));
  const announce = async (p: PeerAnnounce): Promise<AnnounceResult> => {
    const out = new AnnounceResult();
    await store.announce(p, out);
    return out;
  };
  /** The first steps of moving `slot` from `from` to `to`, as redis-cli --cluster reshard takes them. */
  const beginMove = async (slot: number, from: number, to: number): Promise<void> => {
    await node(to).cluster('SETSLOT', slot, 'IMPORTING', await idOf(from));
    await node(from).cluster('SETSLOT', slot, 'MIGRATING', await idOf(to));
  };
  /** The rest: the slot's keys moved in one MIGRATE, then every master told the slot's new node. */
  const finishMove = async (slot: number, from: number, to: number): Promise<void> => {
    const keys = await node(from).cluster('GETKEYSINSLOT', slot, 10_000) as string[];
    if (keys.length > 0) await node(from).migrate('127.0.0.1', to, '', 0, 5000, 'KEYS', ...keys);
    const id = await idOf(to);
    await node(to).cluster('SETSLOT', slot, 'NODE', id);
    await node(from).cluster('SETSLOT', slot, 'NODE', id);
    for (const p of cluster.ports) if (p !== from && p !== to) await node(p).cluster('SETSLOT', slot, 'NODE', id).catch(() => undefined);
  };

  before(async () => {
    cluster = await startRedisCluster(3, 0);
    // no periodic reading of the slot map: the store learns of moves by itself
    client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })), { enableAutoPipelining: true, scaleReads: 'master', slotsRefreshInterval: 0 });
    prefix = `seedhost-test:${randomBytes(6).toString('hex')}:`;
    store = new RedisPeerStore(client, { prefix });
  });
  after(async () => {
    if (client !== undefined) {
      await deleteClusterPrefix(client, prefix).catch(() => undefined);
      client.disconnect();
    }
    for (const r of nodes.values()) r.disconnect();
    await cluster?.stop();
  });

  it('fails no announce while redis-cli moves slots to a new master, and keeps every swarm and count whole', async () => {
    // loop i announces as peer i of each swarm: a peer never has two announces under way
    const TORRENTS = 200, LOOPS = 32;
    const hashes = Array.from({ length: TORRENTS }, () => randomBytes(20).toString('hex'));
    const left = hashes.map(() => new Array<number>(LOOPS).fill(-1));
    let ok = 0, raised = 0, stop = false;
    const failures: string[] = [];
    const loop = async (i: number): Promise<void> => {
      while (!stop) {
        const h = Math.floor(Math.random() * TORRENTS);
        // a leecher completes now and then; a seeder starts over as a leecher now and then
        const completing = left[h][i] > 0 && Math.random() < 0.05, restart = left[h][i] === 0 && Math.random() < 0.05;
        const l = completing ? 0 : restart || left[h][i] < 0 ? 1000 : left[h][i];
        try {
          const r = await announce(peer(hashes[h], i, l, { event: completing ? 'completed' : '' }));
          left[h][i] = l;
          ok++;
          if (r.completedNow) raised++;
        } catch (e) {
          failures.push(String((e as Error).message));
        }
      }
    };
    let scrapes = 0;
    const scraping = async (): Promise<void> => {
      while (!stop) {
        try {
          const counts = await store.scrape(hashes.slice(0, 50));
          assert.ok(counts.every((c) => c.complete >= 0 && c.incomplete >= 0 && c.complete + c.incomplete <= LOOPS));
          scrapes++;
        } catch (e) {
          failures.push(`scrape: ${(e as Error).message}`);
        }
      }
    };
    const loops = [...Array.from({ length: LOOPS }, (_, i) => loop(i)), scraping(), scraping()];
    const fresh = await cluster.addMaster();
    assert.ok(await waitUntil(() => ok >= 2000, 30_000, 20), 'announces flow before the reshard');

    // the cluster-pipeline of 3 keys per MIGRATE splits a slot's keys (a swarm has up to 9) over
    // several calls: announces meet slots whose keys are partly moved
    const reshard = spawn('redis-cli', ['--cluster', 'reshard', `127.0.0.1:${cluster.ports[0]}`, '--cluster-from', 'all',
      '--cluster-to', fresh.id, '--cluster-slots', '600', '--cluster-pipeline', '3', '--cluster-yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    reshard.stdout.on('data', (c) => { err += c; });
    reshard.stderr.on('data', (c) => { err += c; });
    const okBefore = ok;
    const [code] = await once(reshard, 'exit');
    const during = ok - okBefore;
    assert.ok(await waitUntil(() => ok >= okBefore + during + 1000, 30_000, 20), 'announces flow after the reshard');
    stop = true;
    await Promise.all(loops);

    assert.equal(code, 0, `redis-cli --cluster reshard failed: ${err}`);
    assert.ok(during > 1000, `announces went on during the reshard (${during})`);
    assert.ok(scrapes > 10, `scrapes went on (${scrapes})`);
    assert.deepEqual(failures, []);
    // the slots moved, with their keys
    const moved = await Promise.all(Array.from({ length: 16384 }, (_, s) => s).filter((s) => s % 64 === 0).map(ownerOf));
    assert.ok(moved.includes(fresh.port), 'the new master serves slots');
    assert.ok(Number(await node(fresh.port).dbsize()) > 0, 'the new master holds keys');

    // every swarm whole: its peers listed once each, as many as it counts; every raised count once
    const counts = await store.scrape(hashes);
    let downloaded = 0;
    for (let h = 0; h < TORRENTS; h++) {
      const peers = await store.peers(hashes[h]);
      const c = counts[h];
      assert.equal(peers.length, c.complete + c.incomplete, `swarm ${h}`);
      assert.equal(new Set(peers.map((p) => `${p.ip}:${p.port}`)).size, peers.length, `swarm ${h}: a peer listed twice`);
      assert.equal(peers.length, left[h].filter((l) => l >= 0).length, `swarm ${h}: every peer that announced, once`);
      assert.equal(c.complete, left[h].filter((l) => l === 0).length, `swarm ${h}: seeders`);
      downloaded += c.downloaded;
    }
    assert.equal(downloaded, raised, 'each completion a reply reported is counted once');
  });

  it('holds the announces of a slot in the middle of its move until it has moved, and writes them on the new node only', async () => {
    // a slot no earlier test wrote to: while a slot moves, the node it leaves runs a call only if
    // the key the call is routed by (the slot's completed counts) is still there, and the script
    // then applies the announces whose keys are all there. A count an earlier test left in the
    // slot would let the re-announce and the scrape below be answered by that node (correct: their
    // keys move afterwards, with the change), which is not the case this test holds.
    let h: string, slot: number, from: number;
    do {
      h = randomBytes(20).toString('hex');
      slot = slotOfTag(h);
      from = await ownerOf(slot);
    } while (await keysIn(from, slot) > 0);
    const to = cluster.ports.find((p) => p !== from) as number;
    await announce(peer(h, 1, 1000));
    const keys = await keysIn(from, slot);
    assert.ok(keys > 0);

    await beginMove(slot, from, to);
    const h2 = hashInSlot(slot);
    const settled: string[] = [];
    const pending = [
      announce(peer(h, 1, 1000, { event: '' })), // a re-announce
      announce(peer(h, 2, 0)), // the swarm's first seeder: a new packed string
      announce(peer(h2, 3, 1000)), // a swarm new to the slot
      announce(peer(h, 4, 1000, { event: 'completed', left: 0 })), // a completion: the slot's first count
    ].map((p, i) => p.then((r) => { settled.push(`${i}`); return r; }));
    const scraped = store.scrape([h]).then((r) => { settled.push('scrape'); return r; });
    await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(settled, [], 'no announce or scrape of the moving slot is answered before it has moved');
    assert.equal(await keysIn(from, slot), keys, 'nothing new on the node the slot leaves');
    assert.equal(await keysIn(to, slot), 0, 'nothing on the node the slot goes to before its keys');

    await finishMove(slot, from, to);
    const [, , , done] = await Promise.all(pending);
    assert.equal(done.completedNow, true);
    const [early] = await scraped;
    assert.ok(early.complete + early.incomplete >= 1, 'the scrape is answered after the move, from the new node');
    assert.equal(await keysIn(from, slot), 0);
    assert.ok(await keysIn(to, slot) > keys);
    const [s, s2] = await store.scrape([h, h2]);
    assert.deepEqual(s, { complete: 2, incomplete: 1, downloaded: 1 });
    assert.deepEqual(s2, { complete: 0, incomplete: 1, downloaded: 0 });
  });

  it('fails an announce whose slot stays in the middle of a move, after the resends, and writes nothing', async () => {
    const h = randomBytes(20).toString('hex'), slot = slotOfTag(h);
    const from = await ownerOf(slot), to = cluster.ports.find((p) => p !== from) as number;
    await beginMove(slot, from, to);
    try {
      const t0 = Date.now();
      await assert.rejects(announce(peer(h, 1, 1000)), new RegExp(`not applied after ${RESENDS.length} resends`));
      assert.ok(Date.now() - t0 >= RESENDS.reduce((a, b) => a + b, 0), 'it was resent for the whole budget');
      assert.equal(await keysIn(from, slot), 0);
      assert.equal(await keysIn(to, slot), 0);
    } finally {
      await node(to).cluster('SETSLOT', slot, 'STABLE');
      await node(from).cluster('SETSLOT', slot, 'STABLE');
    }
    // the slot settled where it was: announces go on
    assert.deepEqual(await store.scrape([h]), [{ complete: 0, incomplete: 0, downloaded: 0 }]);
    await announce(peer(h, 1, 1000));
    assert.ok(await keysIn(from, slot) > 0);
  });

  it('answers announces when the links to a master break under it', async () => {
    const h = randomBytes(20).toString('hex'), slot = slotOfTag(h);
    const master = await ownerOf(slot);
    await announce(peer(h, 1, 1000));
    // the link breaks with a call on it: the batch is written (it goes out when setImmediate
    // fires), then the socket is destroyed before the reply can arrive
    const link = client.nodes('master').find((n) => n.options.port === master);
    assert.ok(link !== undefined && link.status === 'ready');
    const inFlight = announce(peer(h, 2, 0));
    await new Promise((res) => setImmediate(res));
    link.stream.destroy();
    assert.deepEqual([(await inFlight).complete, (await inFlight).incomplete], [1, 1]);
    // and every link of the master closed by the server (the admin link that asks is kept)
    assert.ok(Number(await node(master).client('KILL', 'TYPE', 'normal')) >= 1);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => announce(peer(h, 10 + i, i % 2 === 0 ? 0 : 1000))));
    assert.equal(Math.max(...replies.map((r) => r.complete + r.incomplete)), 22);
    assert.deepEqual(await store.scrape([h]), [{ complete: 11, incomplete: 11, downloaded: 0 }]);
  });

  it('sends again to the new node an announce its slot map placed on the old one', async () => {
    const h = randomBytes(20).toString('hex'), slot = slotOfTag(h);
    const from = await ownerOf(slot), to = cluster.ports.find((p) => p !== from) as number;
    await announce(peer(h, 1, 1000));
    // a torrent of another slot of the same node, announced first: the batch goes to that node
    let other: string;
    do other = randomBytes(20).toString('hex'); while (slotOfTag(other) === slot || await ownerOf(slotOfTag(other)) !== from);

    // moved behind the store's back: its client still maps the slot to the old node
    await beginMove(slot, from, to);
    await finishMove(slot, from, to);
    assert.equal(client.slots[slot]?.[0], `127.0.0.1:${from}`, 'the store has not seen the move');
    const [a, b] = await Promise.all([announce(peer(other, 2, 1000)), announce(peer(h, 2, 0))]);
    assert.equal(a.incomplete, 1);
    assert.deepEqual([b.complete, b.incomplete], [1, 1]);
    assert.equal(await keysIn(from, slot), 0);
    assert.equal(client.slots[slot]?.[0], `127.0.0.1:${to}`, 'the store read the new slot map');

    // and back, behind its back again: a scrape finds the torrent where it now is
    await beginMove(slot, to, from);
    await finishMove(slot, to, from);
    assert.equal(client.slots[slot]?.[0], `127.0.0.1:${to}`, 'the store has not seen the move back');
    assert.deepEqual(await store.scrape([other, h]), [{ complete: 0, incomplete: 1, downloaded: 0 }, { complete: 1, incomplete: 1, downloaded: 0 }]);
    assert.equal(client.slots[slot]?.[0], `127.0.0.1:${from}`);
  });
});
