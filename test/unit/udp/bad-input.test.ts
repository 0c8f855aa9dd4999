// Hostile and broken datagrams: every one gets an error packet no longer than itself, or silence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { CompletedTally } from '../../../server/tracker/completed-tally.js';
import { MemoryPeerStore } from '../../../server/tracker/memory-peer-store.js';
import type { TrackerContext } from '../../../server/tracker/tracker-context.js';
import { TrackerStats } from '../../../server/tracker/tracker-stats.js';
import { ConnectionIds, SLOT_SECONDS } from '../../../server/udp/connection-ids.js';
import { answerDatagram, UdpStats, type UdpDeps } from '../../../server/udp/udp-answers.js';
import { announcePacket, connectPacket, readAnnounce, readError, readScrape, scrapePacket } from '../../helpers/udp-client.js';

const HASH = 'aa'.repeat(20);
const OTHER = 'bb'.repeat(20);
const IP = '192.0.2.10', PORT = 40000;

function setup(): { deps: UdpDeps; clock: { now: number }; changed: string[] } {
  const clock = { now: 500 * SLOT_SECONDS * 1000 };
  const changed: string[] = [];
  const tracker: TrackerContext = {
    store: new MemoryPeerStore(), registered: new Set([HASH]), completed: new CompletedTally(), interval: 1800, minInterval: 900,
    stats: new TrackerStats(), onSwarmChange: (h) => changed.push(h),
  };
  const deps: UdpDeps = {
    tracker, stats: new TrackerStats(), udp: new UdpStats(), ids: new ConnectionIds(Buffer.alloc(32, 1), () => clock.now), log: pino({ level: 'silent' }),
  };
  return { deps, clock, changed };
}

function cidOf(deps: UdpDeps, ip = IP, port = PORT): Buffer {
  const r = answerDatagram(connectPacket(), ip, port, deps) as Buffer;
  return r.subarray(8, 16);
}

/** The reply, checked to be no longer than the request when it is an error. */
function answer(deps: UdpDeps, msg: Buffer, ip = IP, port = PORT): Buffer | null {
  const r = answerDatagram(msg, ip, port, deps);
  assert.ok(!(r instanceof Promise), 'the memory store answers at once');
  if (r !== null && readError(r) !== undefined) assert.ok(r.length <= msg.length, `error reply of ${r.length} bytes to ${msg.length}`);
  return r;
}

describe('udp bad input', () => {
  it('answers the table with an error no longer than the request, or silence', () => {
    const { deps, clock } = setup();
    const cid = cidOf(deps);
    const ann = announcePacket(cid, { infoHash: HASH, peerId: '-XX0001-a', port: 6881, left: 5n });
    const cases: [string, Buffer, 'silence' | RegExp][] = [
      ['an empty datagram', Buffer.alloc(0), 'silence'],
      ['15 bytes', connectPacket().subarray(0, 15), 'silence'],
      ['a connect with another protocol id', Buffer.concat([Buffer.alloc(8, 9), connectPacket().subarray(8)]), 'silence'],
      ['an announce cut to 16 bytes', ann.subarray(0, 16), /^malforme$/],
      ['an announce cut to 97 bytes', ann.subarray(0, 97), /too short/],
      ['an unknown action', Buffer.concat([cid, Buffer.from([0, 0, 0, 9, 0, 0, 0, 1]), Buffer.alloc(20)]), /unknown action/],
      ['a wrong connection id', announcePacket(Buffer.alloc(8, 7), { infoHash: HASH, peerId: 'p', port: 1 }), /connection id/],
      ['a wrong connection id on a 16-byte scrape', scrapePacket(Buffer.alloc(8, 7), []), /^connecti/],
      ['a scrape without hashes', scrapePacket(cid, []), /^scrape n/],
      ['a scrape of 75 hashes', scrapePacket(cid, Array(75).fill(HASH)), /too many/],
      ['a scrape with a cut hash', scrapePacket(cid, [HASH]).subarray(0, 30), /^malformed scrape/],
      ['port 0', announcePacket(cid, { infoHash: HASH, peerId: 'p', port: 0 }), /invalid port/],
      ['event 7', announcePacket(cid, { infoHash: HASH, peerId: 'p', port: 1, event: 7 }), /invalid event/],
      ['an unregistered info_hash', announcePacket(cid, { infoHash: OTHER, peerId: 'p', port: 1 }), /unregistered torrent/],
      ['a 64 kB datagram of 0xff', Buffer.alloc(65507, 0xff), /connection id/],
      ['a 64 kB datagram of zeros (action 0, no protocol id)', Buffer.alloc(65507), 'silence'],
    ];
    for (const [name, msg, want] of cases) {
      const r = answer(deps, msg);
      if (want === 'silence') assert.equal(r, null, name);
      else assert.match(readError(r as Buffer) ?? '', want, name);
    }
    assert.equal(deps.udp.dropped, 4);
    clock.now += 2 * SLOT_SECONDS * 1000; // the id expired
    assert.match(readError(answer(deps, ann) as Buffer) ?? '', /expired/);
    assert.equal(deps.tracker.stats.announces[0], 0, 'nothing counted as HTTP');
  });

  it('refuses an id issued to another address', () => {
    const { deps } = setup();
    const cid = cidOf(deps, '198.51.100.3', 5000);
    const ann = announcePacket(cid, { infoHash: HASH, peerId: 'p', port: 1 });
    assert.match(readError(answer(deps, ann, '198.51.100.4', 5000) as Buffer) ?? '', /connection id/);
    assert.equal(readError(answer(deps, ann, '198.51.100.3', 5000) as Buffer), undefined);
  });

  it('takes num_want -1 as the default, caps a huge one, and ignores trailing bytes', () => {
    const { deps } = setup();
    for (let i = 0; i < 60; i++) {
      const cid = cidOf(deps, `10.0.${i}.1`, 7000);
      answer(deps, announcePacket(cid, { infoHash: HASH, peerId: `-XX0001-${i}`, port: 7000, left: 0n }), `10.0.${i}.1`, 7000);
    }
    const cid = cidOf(deps);
    const base = { infoHash: HASH, peerId: '-XX0001-me', port: 6881, left: 1n };
    assert.equal(readAnnounce(answer(deps, announcePacket(cid, { ...base, numWant: -1 })) as Buffer).peers.length, 50);
    assert.equal(readAnnounce(answer(deps, announcePacket(cid, { ...base, numWant: 0x7fffffff })) as Buffer).peers.length, 60);
    const r = readAnnounce(answer(deps, announcePacket(cid, { ...base, numWant: 5, options: Buffer.alloc(500, 0xff) })) as Buffer);
    assert.deepEqual([r.seeders, r.leechers, r.peers.length], [60, 1, 5]);
  });

  it('counts a completion, reports the swarm change and scrapes zeros for a hash it does not serve', () => {
    const { deps, changed } = setup();
    const cid = cidOf(deps);
    answer(deps, announcePacket(cid, { infoHash: HASH, peerId: '-XX0001-c', port: 6881, left: 10n, event: 2 }));
    answer(deps, announcePacket(cid, { infoHash: HASH, peerId: '-XX0001-c', port: 6881, left: 0n, event: 1 }));
    assert.equal(deps.tracker.completed.drain().get(HASH), 1);
    assert.ok(changed.includes(HASH));
    assert.deepEqual(readScrape(answer(deps, scrapePacket(cid, [HASH, OTHER])) as Buffer), [[1, 1, 0], [0, 0, 0]]);
    assert.deepEqual([deps.stats.announces[0], deps.stats.scrapes[0]], [2, 1]);
  });
});
