import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { magnetUri } from '../../../server/torrent/magnet.js';

const HASH = 'ab'.repeat(20);

describe('magnet URI', () => {
  it('carries xt, dn, xl, tr, ws and the .torrent URL as xs', () => {
    const m = magnetUri({ infoHash: HASH, name: 'my file.iso', totalSize: 42, announce: 'http://t/announce', webseed: 'http://t/webseed/x/', torrentUrl: `http://t/torrents/${HASH}.torrent` });
    const u = new URL(m);
    assert.equal(u.protocol, 'magnet:');
    assert.deepEqual([...u.searchParams.keys()], ['xt', 'dn', 'xl', 'tr', 'ws', 'xs']);
    assert.equal(u.searchParams.get('xt'), `urn:btih:${HASH}`);
    assert.equal(u.searchParams.get('dn'), 'my file.iso');
    assert.equal(u.searchParams.get('xl'), '42');
    assert.equal(u.searchParams.get('tr'), 'http://t/announce');
    assert.equal(u.searchParams.get('ws'), 'http://t/webseed/x/');
    assert.equal(u.searchParams.get('xs'), `http://t/torrents/${HASH}.torrent`);
  });

  it('percent-encodes every value, so names and URLs with & # % + survive', () => {
    const name = 'a&b=c#d%e+f ü/🎵';
    const torrentUrl = 'http://h:8080/base?x=1&y=2/torrents/t.torrent';
    const m = magnetUri({ infoHash: HASH, name, totalSize: 1, announce: 'http://h:8080/announce', torrentUrl });
    assert.doesNotMatch(m.slice('magnet:?'.length), /[ #+]|&(?!(dn|xl|tr|xs)=)/);
    const u = new URL(m);
    assert.equal(u.searchParams.get('dn'), name);
    assert.equal(u.searchParams.get('xs'), torrentUrl);
    assert.equal(u.searchParams.get('ws'), null, 'no webseed given, no ws');
  });
});

describe('magnet URI with several trackers', () => {
  it('carries one tr per tracker, in the order given', () => {
    const m = magnetUri({ infoHash: HASH, name: 'x', totalSize: 1, announce: 'http://t/announce', trackers: ['udp://t:6969/announce', 'http://t/announce'], torrentUrl: 'http://t/x.torrent' });
    assert.deepEqual(new URL(m).searchParams.getAll('tr'), ['udp://t:6969/announce', 'http://t/announce']);
  });

  it('carries btih for v1, btmh (SHA-256 multihash 1220) for v2, both for a hybrid (btih first)', () => {
    const V2 = 'cd'.repeat(32);
    const topics = (format: 'v1' | 'v2' | 'hybrid', infoHashV2: string | null) =>
      new URL(magnetUri({ infoHash: HASH, format, infoHashV2, name: 'x', totalSize: 1, announce: 'http://t/announce', torrentUrl: 'http://t/x.torrent' })).searchParams.getAll('xt');
    assert.deepEqual(topics('v1', null), [`urn:btih:${HASH}`]);
    assert.deepEqual(topics('v2', V2), [`urn:btmh:1220${V2}`]);
    assert.deepEqual(topics('hybrid', V2), [`urn:btih:${HASH}`, `urn:btmh:1220${V2}`]);
  });
});
