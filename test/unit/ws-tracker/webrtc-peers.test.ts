// WebRTC peers' stand-in addresses (3fff::/20) count in a swarm but never reach an HTTP or UDP
// client's peer list, while real IPv6 peers still do; and which upgrades reach the WS tracker.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAnnounce } from '../../../server/tracker/announce.js';
import type { AnnounceRequest } from '../../../server/tracker/announce-request.js';
import { CompletedTally } from '../../../server/tracker/completed-tally.js';
import { MemoryPeerStore } from '../../../server/tracker/memory-peer-store.js';
import type { TrackerContext } from '../../../server/tracker/tracker-context.js';
import { TrackerStats } from '../../../server/tracker/tracker-stats.js';
import { webRtcAddress } from '../../../server/ws-tracker/webrtc-address.js';
import { isWsTrackerUpgrade } from '../../../server/ws-tracker/ws-tracker.js';
import type { IncomingMessage } from 'node:http';

const hash = 'ab'.repeat(20);
const req = (peerId: string, port: number, left: number, numwant: number): AnnounceRequest => ({
  infoHash: hash, peerId: Buffer.from(peerId.padEnd(20, '-')), port, uploaded: 0, downloaded: 0, left, event: 'started',
  numwant, compact: false, noPeerId: false, ip: null, key: null,
});

describe('WebRTC stand-in peers', () => {
  it('gives each peer id its own /64 in 3fff::/20 and a port', () => {
    const a = webRtcAddress('a'.repeat(20)), b = webRtcAddress('b'.repeat(20));
    assert.match(a.ip, /^3fff:[0-9a-f]{1,3}:/);
    assert.notEqual(a.ip.split(':').slice(0, 4).join(':'), b.ip.split(':').slice(0, 4).join(':'));
    // a real client in the older documentation prefix (as tests use) is not a stand-in
    assert.doesNotMatch(a.ip, /^2001:db8/);
    assert.deepEqual(webRtcAddress('a'.repeat(20)), a);
    assert.ok(a.port >= 1 && a.port <= 65535);
  });

  it('counts browsers but lists only dialable peers, with their ids, to an HTTP or UDP client', () => {
    const ctx: TrackerContext = { store: new MemoryPeerStore(), registered: new Set([hash]), completed: new CompletedTally(), interval: 1800, minInterval: 900, stats: new TrackerStats() };
    for (let i = 0; i < 30; i++) {
      const id = `browser${i}`.padEnd(20, '-');
      const { ip, port } = webRtcAddress(id);
      applyAnnounce(req(id, port, 0, 0), ip, ctx);
    }
    applyAnnounce(req('real6', 6881, 0, 0), '2001:db8::1', ctx);
    applyAnnounce(req('real4', 6882, 0, 0), '192.0.2.7', ctx);
    const out = applyAnnounce(req('leecher', 6883, 100, 200), '198.51.100.1', ctx);
    assert.ok(!(out instanceof Promise));
    assert.equal(out.complete, 32);
    assert.equal(out.incomplete, 1);
    assert.equal(out.peers4Len, 6);
    assert.equal(out.peers6Len, 18, 'the real IPv6 peer only');
    assert.equal(out.peers6.subarray(0, 4).toString('hex'), '20010db8');
    assert.equal(out.ids6.subarray(0, 20).toString(), 'real6'.padEnd(20, '-'));
  });
});

describe('which upgrades the WebSocket tracker takes', () => {
  const up = (url: string, upgrade = 'websocket'): boolean => isWsTrackerUpgrade({ url, headers: { upgrade } } as unknown as IncomingMessage);
  it('takes WebSocket upgrades of /announce, with or without a query', () => {
    assert.equal(up('/announce'), true);
    assert.equal(up('/announce?tab-1'), true);
    assert.equal(up('/announce', 'WebSocket'), true);
  });
  it('leaves HTTP announces that send Upgrade, other upgrades and other paths to their plain answer', () => {
    assert.equal(up('/announce?info_hash=%01&peer_id=x'), false);
    assert.equal(up('/announce?port=1&info_hash=%01'), false);
    assert.equal(up('/announce', 'h2c'), false);
    assert.equal(up('/scrape'), false);
    assert.equal(up('/announcer'), false);
  });
});
