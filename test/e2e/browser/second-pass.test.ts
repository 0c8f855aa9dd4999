// Issue 15 items 7, 9 and 10 in chromium: the chart draws the server's history with axes, a
// hosted torrent shows its webseed as a source, an existing .torrent is tracked from the upload
// page (a second time: a link to the existing one), a path that is no info_hash is not found, and
// torrent pages carry their torrent's name as title.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, ensureClientBuild, launchBrowser, needsChromium, PHONE, SHOTS, signIn, until } from '../../helpers/browser.js';
import { databaseKinds } from '../../helpers/databases.js';
import { fileParts, login, ok, upload } from '../../helpers/graphql-client.js';
import { makeTorrent } from '../../helpers/make-torrent.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';
import { announce } from '../../helpers/tracker-client.js';

const ADMIN = { username: 'admin', password: 'correct horse battery' };

describe('web UI second pass', { skip: needsChromium() }, () => {
  let srv: TestServer;
  let b: Browser;
  let hosted: string;

  before(async () => {
    ensureClientBuild();
    srv = await startTestServer(databaseKinds()[0], { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    const token = await login(srv.baseUrl, ADMIN.username, ADMIN.password);
    hosted = ok(await upload(srv.baseUrl, UPLOAD, { files: [null] }, fileParts([['song.ogg', Buffer.alloc(40_000, 3)]]), { token })).uploadTorrent.infoHash;
    await announce(srv.announceUrl, { infoHash: hosted, peerId: '-TR3000-second000001', port: 6881, left: 100, event: 'started' });
    for (const m of [30, 20, 10]) await srv.server.history.sample(Date.now() - m * 60_000);
    b = await launchBrowser(srv.baseUrl);
    await signIn(b.page, ADMIN.username, ADMIN.password);
  });

  after(async () => {
    await b?.page.screenshot({ path: path.join(SHOTS, 'second-pass-last.png') }).catch(() => undefined);
    await b?.close();
    await srv?.close();
  });

  it('draws the history kept on the server with a time axis, and shows the webseed as a source', async () => {
    const { page } = b;
    await page.goto(`/t/${hosted}`);
    await page.locator('[data-testid=torrent-name]').waitFor();
    assert.equal(await page.title(), 'song.ogg · seedhost');
    assert.match(await page.textContent('[data-testid=webseed-source]') ?? '', /webseed: always available/);
    await until('time labels on the axis', async () => (await page.locator('[data-testid=time-axis] span').count()) >= 3);
    assert.ok((await page.locator('[data-testid=time-axis] span').allTextContents()).every((t) => /^\d\d:\d\d$/.test(t)));
    const line = await page.locator('[data-testid=swarm-chart] polyline.leechers').getAttribute('points');
    assert.ok((line ?? '').split(' ').length > 4, `the leecher line has the sampled steps: ${line}`);
    await page.selectOption('[data-testid=chart-span]', '4320');
    await until('day labels for three days', async () => /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) /.test(await page.locator('[data-testid=time-axis] span').first().textContent() ?? ''));
    await page.goto('/');
    await page.locator(`[data-infohash="${hosted}"] [data-testid=webseed-source]`).waitFor();
  });

  it('tracks an existing .torrent from the upload page, and links a duplicate to the torrent already there', async () => {
    const { page } = b;
    const made = makeTorrent({ name: 'made-elsewhere.bin' });
    const file = { name: 'made-elsewhere.torrent', mimeType: 'application/x-bittorrent', buffer: made.file };
    await page.goto('/upload');
    await page.click('[data-testid=mode-torrent]');
    await page.setInputFiles('[data-testid=torrent-file-input]', file);
    await page.click('button:has-text("Track this torrent")');
    await page.waitForURL(`**/t/${made.infoHash}`);
    assert.equal(await page.textContent('[data-testid=torrent-name]'), 'made-elsewhere.bin');
    await page.goto('/upload?mode=torrent');
    await page.setViewportSize(PHONE);
    await page.setInputFiles('[data-testid=torrent-file-input]', file);
    await page.click('button:has-text("Track this torrent")');
    await page.locator('[data-testid=existing-torrent]').waitFor();
    const overflow = await page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');
    assert.equal(overflow, false, 'the error fits a phone');
    await page.click('[data-testid=existing-torrent]');
    await page.waitForURL(`**/t/${made.infoHash}`);
  });

  it('shows not found for a path that is no info_hash', async () => {
    const { page } = b;
    await page.goto('/t/not-a-hash');
    await page.locator('[data-testid=not-found]').waitFor();
    assert.equal(await page.locator('[role=alert]').count(), 0, 'no input error');
    assert.equal(await page.title(), 'Torrent not found · seedhost');
  });
});

const UPLOAD = 'mutation($files: [Upload!]!) { uploadTorrent(files: $files) { infoHash } }';
