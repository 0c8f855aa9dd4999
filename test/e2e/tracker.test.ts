import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { registerViaCli, startTestServer, type TestServer } from '../helpers/test-server.js';
import { announce, compactPeers, escapeBytes, expectBencodedDict, failureOf, httpGet, scrape } from '../helpers/tracker-client.js';

const until = async (cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

for (const kind of databaseKinds()) {
  describe(`tracker over HTTP (${kind.name})`, () => {
    let t: TestServer;
    let hash: string;
    before(async () => {
      t = await startTestServer(kind, { TRUSTED_PROXIES: '127.0.0.2', PEER_TIMEOUT: '2', SWEEP_INTERVAL: '1', COMPLETED_FLUSH_INTERVAL: '1', ANNOUNCE_INTERVAL: '60' });
      hash = await registerViaCli(t);
    });
    after(() => t.close());

    it('refuses an unregistered info_hash with a bencoded failure reason', async () => {
      const d = await announce(t.announceUrl, { infoHash: 'ab'.repeat(20), peerId: '-XX0001-unknown', port: 6881, left: 10 });
      assert.equal(failureOf(d), 'unregistered torrent');
    });

    it('counts a seeder and leechers and hands out compact peers, seeders first', async () => {
      const s = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-seed', port: 7000, left: 0, event: 'started' });
      assert.equal(failureOf(s), null);
      assert.deepEqual([s.complete, s.incomplete, s.interval, s['min interval']], [1, 0, 60, 30]);
      assert.deepEqual(compactPeers(s.peers), []);
      const l1 = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-leech1', port: 7001, left: 100, event: 'started', numwant: 1 });
      assert.deepEqual([l1.complete, l1.incomplete], [1, 1]);
      assert.deepEqual(compactPeers(l1.peers), ['127.0.0.1:7000']);
      const l2 = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-leech2', port: 7002, left: 100, event: 'started' });
      assert.deepEqual(compactPeers(l2.peers).sort(), ['127.0.0.1:7000', '127.0.0.1:7001']);
      const again = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-seed', port: 7000, left: 0 });
      assert.deepEqual(compactPeers(again.peers).sort(), ['127.0.0.1:7001', '127.0.0.1:7002']);
    });

    it('answers the dictionary model with and without peer ids', async () => {
      const d = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-dict', port: 7003, left: 5, compact: 0, numwant: 1 });
      const peers = d.peers as Record<string, Buffer | number>[];
      assert.equal(peers.length, 1);
      assert.deepEqual([String(peers[0].ip), peers[0].port, String(peers[0]['peer id'])], ['127.0.0.1', 7000, '-XX0001-seed00000000']);
      const n = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-dict', port: 7003, left: 5, compact: 0, noPeerId: 1, numwant: 1 });
      assert.equal((n.peers as Record<string, unknown>[])[0]['peer id'], undefined);
    });

    it('hands IPv6 peers out in peers6, taking the address from a trusted proxy', async () => {
      const v6 = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-six', port: 7006, left: 0 }, { 'X-Forwarded-For': '2001:db8::6' }, '127.0.0.2');
      assert.equal(failureOf(v6), null);
      const l = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-leech3', port: 7008, left: 9, numwant: 200 });
      assert.ok(compactPeers(l.peers6, true).includes('2001:db8:0:0:0:0:0:6:7006'));
      await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-six', port: 7006, left: 0, event: 'stopped' }, { 'X-Forwarded-For': '2001:db8::6' }, '127.0.0.2');
    });

    it('ignores X-Forwarded-For and the ip parameter from untrusted connections', async () => {
      await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-spoof', port: 7009, left: 0, ip: '203.0.113.9' }, { 'X-Forwarded-For': '198.51.100.1' });
      const peers = await t.server.store.peers(hash);
      const spoof = peers.find((p) => p.port === 7009);
      assert.equal(spoof?.ip, '127.0.0.1');
      await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-spoof', port: 7009, left: 0, event: 'stopped' });
    });

    it('accepts the ip parameter when the client itself is trusted', async () => {
      await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-box', port: 7010, left: 0, ip: '203.0.113.10' }, undefined, '127.0.0.2');
      assert.equal((await t.server.store.peers(hash)).find((p) => p.port === 7010)?.ip, '203.0.113.10');
      await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-box', port: 7010, left: 0, event: 'stopped', ip: '203.0.113.10' }, undefined, '127.0.0.2');
    });

    it('drops a stopped peer and counts a completed download once, in scrape and in the database', async () => {
      const before = (await scrape(`${t.baseUrl}/scrape`, [hash]))[hash];
      const c = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-leech1', port: 7001, left: 0, event: 'completed' });
      assert.equal(c.downloaded, before.downloaded + 1);
      await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-leech1', port: 7001, left: 0, event: 'completed' });
      const st = await announce(t.announceUrl, { infoHash: hash, peerId: '-XX0001-leech2', port: 7002, left: 100, event: 'stopped' });
      assert.deepEqual(compactPeers(st.peers), []);
      const after = (await scrape(`${t.baseUrl}/scrape`, [hash]))[hash];
      assert.equal(after.downloaded, before.downloaded + 1);
      assert.equal(after.incomplete, before.incomplete - 2);
      await until(async () => {
        const rows = await t.server.ds.query('SELECT completed FROM torrents WHERE info_hash = ?', [hash]);
        return Number(rows[0].completed) === after.downloaded;
      });
    });

    it('scrapes one and many torrents, leaving unknown hashes out, and refuses a full scrape (FULL_SCRAPE off)', async () => {
      const second = await registerViaCli(t);
      const unknown = 'cd'.repeat(20);
      const many = await scrape(`${t.baseUrl}/scrape`, [hash, second, unknown]);
      assert.deepEqual(Object.keys(many).sort(), [hash, second].sort());
      assert.deepEqual(many[second], { complete: 0, downloaded: 0, incomplete: 0 });
      const all = expectBencodedDict(await httpGet(`${t.baseUrl}/scrape`));
      assert.equal(failureOf(all), 'full scrape is off: ask for one or more info_hash');
    });

    it('expires peers that stop announcing', async () => {
      const h = await registerViaCli(t);
      await announce(t.announceUrl, { infoHash: h, peerId: '-XX0001-gone', port: 7100, left: 1 });
      assert.equal((await scrape(`${t.baseUrl}/scrape`, [h]))[h].incomplete, 1);
      await until(async () => (await scrape(`${t.baseUrl}/scrape`, [h]))[h].incomplete === 0, 6000);
    });

    it('stops tracking a torrent removed on the command line', async () => {
      const h = await registerViaCli(t);
      const r = await t.cli(['remove', h]);
      assert.equal(r.code, 0, r.stderr);
      await until(() => !t.server.registered.has(h));
      const d = await announce(t.announceUrl, { infoHash: h, peerId: '-XX0001-late', port: 7200, left: 1 });
      assert.equal(failureOf(d), 'unregistered torrent');
    });

    it('answers malformed announces with a failure reason, never a 5xx or HTML', async () => {
      const cases = [
        `${t.announceUrl}?info_hash=${escapeBytes(Buffer.alloc(19, 1))}&peer_id=${'a'.repeat(20)}&port=1&uploaded=0&downloaded=0&left=0`,
        `${t.announceUrl}?info_hash=%zz`,
        `${t.announceUrl}`,
        `${t.announceUrl}?${'x'.repeat(10 * 1024)}`,
        `${t.baseUrl}/scrape?info_hash=short`,
      ];
      for (const url of cases) {
        const d = expectBencodedDict(await httpGet(url));
        assert.match(failureOf(d) ?? '', /\w/, url.slice(0, 80));
      }
      const post = expectBencodedDict(await httpGet(t.announceUrl, { method: 'POST', body: 'x=1', headers: { 'Content-Type': 'text/plain' } }));
      assert.match(failureOf(post) ?? '', /method not allowed/);
    });

    it('answers an oversized or broken HTTP request with a bencoded failure and closes', async () => {
      const huge = expectBencodedDict(await httpGet(`${t.announceUrl}?info_hash=${'%41'.repeat(8000)}`));
      assert.match(failureOf(huge) ?? '', /too long|malformed/);
      const raw = await new Promise<string>((resolve, reject) => {
        const s = net.connect(t.server.port, '127.0.0.1', () => s.write('GARBAGE / HTTP/9\r\n\x00\r\n\r\n'));
        let data = '';
        s.on('data', (c) => { data += c.toString('latin1'); });
        s.on('end', () => resolve(data));
        s.on('error', reject);
        s.setTimeout(5000, () => reject(new Error('hang')));
      });
      assert.match(raw, /^HTTP\/1\.1 200 OK/);
      assert.match(raw, /d14:failure reason/);
    });

    it('keeps connections alive between announces', async () => {
      const http = await import('node:http');
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const ports: number[] = [];
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          http.get(`${t.announceUrl}?info_hash=x`, { agent }, (res) => {
            ports.push((res.socket as net.Socket).localPort ?? -1);
            res.resume();
            res.on('end', resolve);
          }).on('error', reject);
        });
      }
      agent.destroy();
      assert.equal(new Set(ports).size, 1);
    });

    it('reports health with the database reachable', async () => {
      const r = await httpGet(`${t.baseUrl}/healthz`);
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.body.toString()).status, 'ok');
    });
  });
}

describe('full scrape over HTTP (FULL_SCRAPE on)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer(databaseKinds()[0], { FULL_SCRAPE: 'on', FULL_SCRAPE_INTERVAL: '3600', TRUSTED_PROXIES: '127.0.0.1/32, ::1' });
  });
  after(() => t.close());

  it('lists every registered torrent from a cached reply, and refuses an address past its share', async () => {
    const a = await registerViaCli(t);
    const b = await registerViaCli(t);
    await announce(t.announceUrl, { infoHash: a, peerId: '-XX0001-full', port: 7300, left: 0 });
    const first = await httpGet(`${t.baseUrl}/scrape`);
    const d = expectBencodedDict(first) as { files: Record<string, unknown>; flags: unknown };
    const files = Object.fromEntries(Object.entries(d.files).map(([k, v]) => [Buffer.from(k, 'latin1').toString('hex'), v]));
    assert.deepEqual(files, { [a]: { complete: 1, downloaded: 0, incomplete: 0 }, [b]: { complete: 0, downloaded: 0, incomplete: 0 } });
    assert.deepEqual(d.flags, { min_request_interval: 3600 });
    await announce(t.announceUrl, { infoHash: b, peerId: '-XX0001-full', port: 7301, left: 0 });
    const second = await httpGet(`${t.baseUrl}/scrape`);
    assert.ok(second.body.equals(first.body), 'the cached reply changed within the interval');
    const third = expectBencodedDict(await httpGet(`${t.baseUrl}/scrape`));
    assert.match(failureOf(third) ?? '', /^too many full scrapes: at most 2 per 3600 s from one address$/);
    const elsewhere = await httpGet(`${t.baseUrl}/scrape`, { headers: { 'X-Forwarded-For': '10.7.0.1' } });
    assert.ok(elsewhere.body.equals(first.body), 'another address (through the fast path) has its own share');
    const one = await scrape(`${t.baseUrl}/scrape`, [b]);
    assert.deepEqual(one[b], { complete: 1, downloaded: 0, incomplete: 0 }, 'scrapes by info_hash stay live and unlimited');
  });
});
