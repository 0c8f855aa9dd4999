// The BEP 15 tracker of a real server: the same closed catalogue and swarms as HTTP, on every
// database and swarm store, ids shared by instances on one database, and IPv6 (BEP 15's 18-byte peers).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer } from '../../server/main.js';
import { batchAddon } from '../../server/udp/udp-batch-socket.js';
import { findTopLevelValue } from '../../server/torrent/bencode-span.js';
import { bdecode, type BValue } from '../helpers/bdecode.js';
import { databaseKinds } from '../helpers/databases.js';
import { hasLoopback6, needs } from '../helpers/environment.js';
import { gql, ok, primed, wsClient } from '../helpers/graphql-client.js';
import { closeAndClearRedis, storeBackends } from '../helpers/redis.js';
import { registerViaCli, startTestServer, type TestServer } from '../helpers/test-server.js';
import { announce, compactPeers, httpGet, scrape } from '../helpers/tracker-client.js';
import { announcePacket, readAnnounce, readError, readScrape, scrapePacket, UdpClient } from '../helpers/udp-client.js';

const UNKNOWN = 'ee'.repeat(20);

const hasBatchAddon = batchAddon() !== null;

for (const kind of databaseKinds()) {
  for (const backend of storeBackends()) for (const io of ['batch', 'dgram'] as const) {
    const skip = io === 'batch' ? needs(hasBatchAddon, 'the UDP batch addon (npm run build:native: python3, make, a C compiler)') : false;
    describe(`udp tracker (${kind.name}, ${backend.name} store, ${io} socket)`, { skip }, () => {
      let t: TestServer;
      let hash: string;
      let c: UdpClient;
      before(async () => {
        t = await startTestServer(kind, { ...backend.env(), UDP_BATCH: io === 'batch' ? 'on' : 'off' });
        assert.equal(t.server.udpIo, io);
        hash = await registerViaCli(t);
        c = new UdpClient('127.0.0.1', t.server.udpPort as number);
      });
      after(async () => {
        c.close();
        await closeAndClearRedis(t);
      });

      it('announces into the same swarm as HTTP and scrapes its counts', async () => {
        await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-httpseed', port: 7001, left: 0 });
        const cid = await c.connect();
        const a = readAnnounce(await c.request(announcePacket(cid, { infoHash: hash, peerId: '-LT2000-udpleech', port: 7002, left: 10n, event: 2 })) as Buffer);
        assert.deepEqual([a.interval, a.seeders, a.leechers, a.peers], [1800, 1, 1, ['127.0.0.1:7001']]);
        const h = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-httpleech', port: 7003, left: 5 });
        assert.deepEqual(compactPeers(h.peers).sort(), ['127.0.0.1:7001', '127.0.0.1:7002']);
        assert.deepEqual((await scrape(`${t.baseUrl}/scrape`, [hash]))[hash], { complete: 1, downloaded: 0, incomplete: 2 });
        assert.deepEqual(readScrape(await c.request(scrapePacket(cid, [hash, UNKNOWN])) as Buffer), [[1, 0, 2], [0, 0, 0]]);
      });

      it('counts a completed download and pushes swarmUpdated for UDP announces', async () => {
        const ws = await wsClient(t.baseUrl);
        const sub = ws.subscribe<{ completed: number; seeders: number }>(SWARM_UPDATED, { h: hash });
        try {
          const cid = await c.connect();
          await primed(sub, (i) => c.request(announcePacket(cid, { infoHash: hash, peerId: `-LT2000-prime${i}`, port: 7100 + i, left: 1n, event: 2 })));
          await c.request(announcePacket(cid, { infoHash: hash, peerId: '-LT2000-udpleech', port: 7002, left: 0n, event: 1 }));
          await sub.waitFor((e) => e.completed === 1);
          assert.equal(readScrape(await c.request(scrapePacket(cid, [hash])) as Buffer)[0][1], 1);
        } finally {
          sub.close();
          await ws.close();
        }
      });

      it('answers a burst of datagrams (several batches) each under its own transaction id, runts among them unanswered', async () => {
        const cid = await c.connect();
        const msgs: Buffer[] = [];
        // 150 datagrams: three batches of the batch socket; replies without peers (numWant 0) stay
        // far inside the kernel's default receive buffers, so none is dropped on a busy machine
        for (let i = 0; i < 125; i++) {
          msgs.push(announcePacket(cid, { infoHash: hash, peerId: `-LT2000-burst${String(i).padStart(3, '0')}`, port: 20000 + i, left: 1n, numWant: 0, tx: i }));
          if (i % 10 === 0) msgs.push(Buffer.alloc(10, i), announcePacket(Buffer.alloc(8, 1), { infoHash: hash, peerId: 'x', port: 1, tx: 0x10000 + i }));
        }
        const replies = await c.burst(msgs, 138);
        assert.equal(await c.request(Buffer.alloc(10), 300), null, 'nothing more: the runts got no reply');
        const byTx = new Map(replies.map((r) => [r.readUInt32BE(4), r]));
        assert.equal(replies.length, 138);
        for (let i = 0; i < 125; i++) {
          const r = byTx.get(i);
          assert.ok(r !== undefined && r.readUInt32BE(0) === 1, `announce ${i} answered`);
          assert.equal(readAnnounce(r).interval, 1800);
          if (i % 10 === 0) assert.match(readError(byTx.get(0x10000 + i) as Buffer) ?? '', /connection id/);
        }
      });

      it('refuses an unregistered info_hash and an unknown connection id with error packets', async () => {
        const cid = await c.connect();
        assert.equal(readError(await c.request(announcePacket(cid, { infoHash: UNKNOWN, peerId: 'x', port: 1 })) as Buffer), 'unregistered torrent');
        const bad = announcePacket(Buffer.alloc(8, 1), { infoHash: hash, peerId: 'x', port: 1 });
        const r = await c.request(bad) as Buffer;
        assert.match(readError(r) ?? '', /connection id/);
        assert.ok(r.length <= bad.length);
        assert.equal(await c.request(Buffer.alloc(10), 300), null, 'a runt datagram gets no reply');
        const m = (await httpGet(`${t.baseUrl}/metrics`)).body.toString();
        assert.match(m, /^seedhost_udp_announces_total\{result="unregistered"\} [1-9]/m);
        assert.match(m, /^seedhost_udp_refused_total\{reason="bad_connection_id"\} [1-9]/m);
      });
    });
  }

  describe(`udp connection ids across instances (${kind.name})`, () => {
    let a: TestServer;
    before(async () => {
      a = await startTestServer(kind);
    });
    after(() => a.close());

    it('accepts at one instance an id another instance on the same database issued', async () => {
      const hash = await registerViaCli(a);
      const b = await startServer(loadConfig({ ...a.env, PORT: '0' }), createLogger('warn'));
      const c = new UdpClient('127.0.0.1', a.server.udpPort as number);
      try {
        // behind one address a client's connect and announce may land on two instances
        const cid = await c.connect();
        const r = await c.request(announcePacket(cid, { infoHash: hash, peerId: '-LT2000-twoinst', port: 7200, left: 1n }), 2000, b.udpPort as number) as Buffer;
        assert.equal(readError(r), undefined);
        assert.equal(readAnnounce(r).leechers, 1);
        const rows = await a.server.ds.query("SELECT value FROM settings WHERE name = 'udp_secret'");
        assert.equal(rows.length, 1, 'one generated secret, kept in the database');
      } finally {
        c.close();
        await b.close();
      }
    });
  });
}

const loopback6 = await hasLoopback6();

for (const io of ['batch', 'dgram'] as const) describe(`udp tracker on a dual-stack socket (${io} socket)`, {
  skip: needs(loopback6, 'an IPv6 loopback address (::1)') || (io === 'batch' && needs(hasBatchAddon, 'the UDP batch addon (npm run build:native)')),
}, () => {
  let t: TestServer;
  let hash: string;
  before(async () => {
    t = await startTestServer(databaseKinds()[0], { HOST: '::', UDP_BATCH: io === 'batch' ? 'on' : 'off' });
    assert.equal(t.server.udpIo, io);
    hash = await registerViaCli(t);
  });
  after(() => t.close());

  it('gives IPv6 senders 18-byte peers and IPv4 senders (seen as ::ffff:) 6-byte ones', async () => {
    const v6 = new UdpClient('::1', t.server.udpPort as number);
    const v4 = new UdpClient('127.0.0.1', t.server.udpPort as number);
    try {
      const c6 = await v6.connect(), c4 = await v4.connect();
      await v6.request(announcePacket(c6, { infoHash: hash, peerId: '-LT2000-v6seed', port: 9006, left: 0n }));
      await v4.request(announcePacket(c4, { infoHash: hash, peerId: '-LT2000-v4seed', port: 9004, left: 0n }));
      const l6 = readAnnounce(await v6.request(announcePacket(c6, { infoHash: hash, peerId: '-LT2000-v6leech', port: 9106, left: 1n })) as Buffer, true);
      assert.deepEqual([l6.seeders, l6.peers], [2, ['0:0:0:0:0:0:0:1:9006']]);
      const l4 = readAnnounce(await v4.request(announcePacket(c4, { infoHash: hash, peerId: '-LT2000-v4leech', port: 9104, left: 1n })) as Buffer);
      assert.deepEqual(l4.peers, ['127.0.0.1:9004']);
      // an id issued to the IPv4 sender is refused from the IPv6 one
      assert.match(readError(await v6.request(announcePacket(c4, { infoHash: hash, peerId: 'x', port: 1 })) as Buffer) ?? '', /connection id/);
    } finally {
      v6.close();
      v4.close();
    }
  });
});

describe('torrents and magnets list the UDP tracker', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(databaseKinds()[0], { PUBLIC_UDP_URL: 'udp://tracker.example.org:6969/announce' });
  });
  after(() => t.close());

  it('writes announce-list [[udp], [http], [ws]] and every tr= without changing the info dict', async () => {
    const file = path.join(t.dataDir, 'u.bin');
    writeFileSync(file, Buffer.alloc(40_000, 7));
    const r = await t.cli(['add', file]);
    assert.equal(r.code, 0, r.stderr);
    const hash = r.stdout.trim().split('\n').pop() as string;
    const meta = (await httpGet(`${t.baseUrl}/torrents/${hash}.torrent`)).body;
    const d = bdecode(meta) as Record<string, BValue>;
    assert.equal(String(d.announce), 'http://localhost:0/announce');
    assert.deepEqual((d['announce-list'] as Buffer[][]).map((tier) => tier.map(String)), [['udp://tracker.example.org:6969/announce'], ['http://localhost:0/announce'], ['ws://localhost:0/announce']]);
    const span = findTopLevelValue(meta, 'info') as [number, number];
    assert.equal(createHash('sha1').update(meta.subarray(span[0], span[1])).digest('hex'), hash);
    const magnet = ok(await gql(t.baseUrl, 'query($h: String!) { torrent(infoHash: $h) { magnetUri } }', { h: hash })).torrent.magnetUri as string;
    assert.deepEqual(new URL(magnet).searchParams.getAll('tr'), ['udp://tracker.example.org:6969/announce', 'http://localhost:0/announce', 'ws://localhost:0/announce']);
  });
});

const SWARM_UPDATED = 'subscription($h: String) { swarmUpdated(infoHash: $h) { infoHash seeders leechers completed } }';
