import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { databaseKinds } from '../helpers/databases.js';
import { hasLoopback6, needs } from '../helpers/environment.js';
import { registerViaCli, startTestServer, type TestServer } from '../helpers/test-server.js';
import { announce, compactPeers } from '../helpers/tracker-client.js';

const loopback6 = await hasLoopback6();

describe('tracker on a dual-stack socket', { skip: needs(loopback6, 'an IPv6 loopback address (::1)') }, () => {
  let t: TestServer;
  let hash: string;
  before(async () => {
    t = await startTestServer(databaseKinds()[0], { HOST: '::' });
    hash = await registerViaCli(t);
  });
  after(() => t.close());

  it('hands an IPv6 peer out in peers6 and an IPv4 peer (seen as ::ffff:) in peers', async () => {
    const v6url = `http://[::1]:${t.server.port}/announce`;
    const v4url = `http://127.0.0.1:${t.server.port}/announce`;
    await announce(v6url, { infoHash: hash, peerId: '-XX0001-v6seed', port: 9006, left: 0 });
    await announce(v4url, { infoHash: hash, peerId: '-XX0001-v4seed', port: 9004, left: 0 });
    const l = await announce(v4url, { infoHash: hash, peerId: '-XX0001-leech', port: 9010, left: 5 });
    assert.deepEqual(compactPeers(l.peers), ['127.0.0.1:9004']);
    assert.deepEqual(compactPeers(l.peers6, true), ['0:0:0:0:0:0:0:1:9006']);
  });
});
