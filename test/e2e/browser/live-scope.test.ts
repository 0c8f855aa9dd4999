// Issue 15 item 3: a page follows the swarms it shows, not the whole tracker. The API's
// swarmsUpdated(infoHashes) pushes only the given torrents (bounded in number); the list follows
// the rows on screen and a torrent page its one torrent. Measured against what the old UI's
// all-torrents subscription receives for the same announces.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, ensureClientBuild, launchBrowser, needsChromium, SHOTS, until } from '../../helpers/browser.js';
import { databaseKinds } from '../../helpers/databases.js';
import { login, registerAs, sleep, wsClient, type WsClient } from '../../helpers/graphql-client.js';
import { makeTorrent } from '../../helpers/make-torrent.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';
import { announce } from '../../helpers/tracker-client.js';

const ADMIN = { username: 'admin', password: 'correct horse battery' };
const TORRENTS = 60;

describe('live counts follow what a page shows', { skip: needsChromium() }, () => {
  let srv: TestServer;
  let b: Browser;
  let ws: WsClient;
  const hashes: string[] = []; // oldest first
  const pushed: string[] = []; // info_hashes of the swarm pushes the page received
  let port = 30000;
  const seed = (h: string) => announce(srv.announceUrl, { infoHash: h, peerId: `-qB4650-${String(++port).padStart(12, '0')}`, port, left: 0, event: 'started' });

  before(async () => {
    ensureClientBuild();
    srv = await startTestServer(databaseKinds()[0], { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    const token = await login(srv.baseUrl, ADMIN.username, ADMIN.password);
    for (let i = 0; i < TORRENTS; i++) hashes.push(await registerAs(srv.baseUrl, token, makeTorrent({ name: `live-${i}.bin` })));
    ws = await wsClient(srv.baseUrl);
    b = await launchBrowser(srv.baseUrl);
    b.page.on('websocket', (socket) => socket.on('framereceived', (f) => {
      const m = /"swarmsUpdated":\{"infoHash":"([0-9a-f]{40})"/.exec(String(f.payload));
      if (m) pushed.push(m[1]);
    }));
  });

  after(async () => {
    await b?.page.screenshot({ path: path.join(SHOTS, 'live-scope-last.png') }).catch(() => undefined);
    await b?.close();
    await ws?.close();
    await srv?.close();
  });

  it('pushes swarmsUpdated for the given torrents only, ignoring unknown ones, at most 100', async () => {
    const tooMany = ws.subscribe(SWARMS, { hs: Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(40, '0')) });
    await assert.rejects(tooMany.waitFor(() => true, 2000), /at most 100 infoHashes/);
    const sub = ws.subscribe<{ infoHash: string }>(SWARMS, { hs: [hashes[0], hashes[1].toUpperCase(), 'f'.repeat(40)] });
    try {
      for (let i = 0; sub.events.length === 0; i++) { // live once a push comes
        assert.ok(i < 50, 'the subscription never became live');
        await seed(hashes[0]);
        await sleep(100);
      }
      await seed(hashes[2]);
      await seed(hashes[1]);
      await sub.waitFor((e) => e.infoHash === hashes[1]);
      await sleep(400);
      assert.ok(sub.events.every((e) => e.infoHash === hashes[0] || e.infoHash === hashes[1]), JSON.stringify(sub.events));
    } finally {
      sub.close();
    }
  });

  it('follows the rows on screen: one tab gets the pushes of what it shows, not of every torrent', async () => {
    const { page } = b;
    await page.goto('/');
    const rows = page.locator('ul.list li.torrent');
    await until('the first page', async () => (await rows.count()) === 25);
    const shown = new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-infohash') as string)));
    const newest = hashes[TORRENTS - 1];
    await until('the list live', async () => { await seed(newest); await sleep(300); return pushed.includes(newest); }, 15_000);
    await sleep(400); // past the coalescing window
    // what the UI did before: one subscription to every torrent
    const all = ws.subscribe<{ infoHash: string }>('subscription { swarmUpdated { infoHash } }');
    for (let i = 0; all.events.length === 0; i++) {
      assert.ok(i < 50, 'the all-torrents subscription never became live');
      await seed(hashes[0]);
      await sleep(100);
    }
    await sleep(400);
    all.events.length = 0;
    pushed.length = 0;
    // the tab's main-thread time while the announces flow (printed, not asserted: timing is noisy)
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const busy = async (): Promise<number> => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
    const cpu0 = await busy();
    const wall0 = Date.now();
    for (const h of hashes) await seed(h);
    await seed(newest); // shown: the page has its pushes once this one is there
    await all.waitFor((e) => e.infoHash === hashes[0]);
    await until('the last push on the page', async () => pushed.includes(newest));
    await sleep(500);
    all.close();
    const cpu = await busy() - cpu0;
    process.stdout.write(`# the list tab's main thread: ${(cpu * 1000).toFixed(0)} ms busy over ${Date.now() - wall0} ms of announces\n`);
    await cdp.detach();
    const allCount = all.events.length;
    process.stdout.write(`# swarm pushes for ${TORRENTS} announced torrents: the list page received ${pushed.length} (${new Set(pushed).size} torrents), an all-torrents subscription ${allCount} (${new Set(all.events.map((e) => e.infoHash)).size} torrents)\n`);
    assert.ok(pushed.every((h) => shown.has(h)), 'no push for a torrent the page does not show');
    assert.ok(new Set(all.events.map((e) => e.infoHash)).size === TORRENTS, 'the comparison saw every torrent');
    assert.ok(pushed.length < allCount);
  });

  it('follows only its torrent on a torrent page', async () => {
    const { page } = b;
    const one = hashes[3]; // not on the list's first page
    await page.goto(`/t/${one}`);
    await page.locator('[data-testid=torrent-name]').waitFor();
    const before = Number(await page.textContent('[data-testid=seeders]'));
    await until('the page live', async () => { await seed(one); await sleep(300); return Number(await page.textContent('[data-testid=seeders]')) > before; }, 15_000);
    await sleep(400);
    pushed.length = 0;
    for (const h of hashes.slice(0, 20)) await seed(h);
    await until('its own push', async () => pushed.includes(one));
    await sleep(500);
    assert.deepEqual([...new Set(pushed)], [one]);
  });
});

const SWARMS = 'subscription($hs: [String!]!) { swarmsUpdated(infoHashes: $hs) { infoHash } }';
