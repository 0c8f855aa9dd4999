// The web UI in a real browser (Debian's chromium driven by playwright-core) against a real
// server: sign in, upload a folder with a progress bar, check the .torrent, watch live swarm
// counts move on announces without a reload, delete. Screenshots go to test-artifacts/ui/.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findTopLevelValue } from '../../../server/torrent/bencode-span.js';
import { databaseKinds } from '../../helpers/databases.js';
import { CHROMIUM, CHROMIUM_ARGS as ARGS, ensureClientBuild, needsChromium, SHOTS, textIs, until } from '../../helpers/browser.js';
import { login, registerAs } from '../../helpers/graphql-client.js';
import { makeMultiFileTorrent } from '../../helpers/make-torrent.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';
import { announce, httpGet } from '../../helpers/tracker-client.js';

const ADMIN = { username: 'admin', password: 'correct horse battery' };

describe('web UI in chromium', { skip: needsChromium() }, () => {
  let srv: TestServer;
  let ctx: BrowserContext;
  let page: Page;
  let profile: string;
  let work: string;

  before(async () => {
    ensureClientBuild();
    mkdirSync(SHOTS, { recursive: true });
    srv = await startTestServer(databaseKinds()[0], { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    profile = mkdtempSync(path.join(tmpdir(), 'seedhost-chromium-'));
    work = mkdtempSync(path.join(tmpdir(), 'seedhost-ui-'));
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ARGS, acceptDownloads: true,
      viewport: { width: 1200, height: 850 }, colorScheme: 'light', baseURL: srv.baseUrl,
    });
    page = ctx.pages()[0] ?? await ctx.newPage();
    page.on('pageerror', (e) => process.stdout.write(`# page error: ${e.message}\n`));
  });

  after(async () => {
    await page?.screenshot({ path: path.join(SHOTS, 'last.png') }).catch(() => undefined); // where a failure stopped
    await ctx?.close();
    await srv?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('serves the app with history fallback, asset caching and no way out of the build folder', async () => {
    const index = await httpGet(`${srv.baseUrl}/`);
    assert.equal(index.status, 200);
    assert.match(String(index.headers['content-type']), /^text\/html/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    const deep = await httpGet(`${srv.baseUrl}/t/${'a'.repeat(40)}?x=1`, { headers: { Accept: 'text/html,*/*' } });
    assert.equal(deep.status, 200);
    assert.equal(deep.body.toString(), index.body.toString());
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(index.body.toString())?.[1];
    assert.ok(asset, 'index.html links a hashed script');
    const js = await httpGet(`${srv.baseUrl}${asset}`);
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    const head = await httpGet(`${srv.baseUrl}${asset}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(js.body.length));
    assert.equal(head.body.length, 0);
    for (const bad of ['/assets/missing.js', '/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%5c..%5cpackage.json', '/nope']) {
      const r = await httpGet(`${srv.baseUrl}${bad}`);
      assert.equal(r.status, 404, bad);
    }
    assert.equal((await httpGet(`${srv.baseUrl}/`, { method: 'POST' })).status, 404);
  });

  it('signs in, uploads a folder, shows live swarm counts and deletes the torrent', async () => {
    // sign in
    await page.goto('/login');
    await page.screenshot({ path: path.join(SHOTS, 'login.png') });
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.pathname === '/');
    await page.getByText('No torrents yet').waitFor();

    // upload a two-file folder through the folder input
    const folder = path.join(work, 'holiday-photos');
    mkdirSync(path.join(folder, 'docs'), { recursive: true });
    writeFileSync(path.join(folder, 'a.txt'), 'hello seedhost\n'.repeat(40_000));
    writeFileSync(path.join(folder, 'docs', 'b.txt'), 'second file\n'.repeat(1000));
    await page.click('a[href="/upload"] >> nth=0');
    await page.waitForURL('**/upload');
    await page.setInputFiles('[data-testid=folder-input]', folder);
    await page.getByText('docs/b.txt').waitFor();
    await page.fill('#description', 'Two files from the browser test.');
    await page.selectOption('[data-testid=format]', 'HYBRID');
    await page.screenshot({ path: path.join(SHOTS, 'upload.png') });
    // record what the progress bar shows (the page navigates within the SPA, so window survives)
    await page.evaluate(RECORD_PROGRESS);
    await page.click('button:has-text("Publish")');
    await page.waitForURL(/\/t\/[0-9a-f]{40}$/);
    const seen = await page.evaluate<{ max: number; phases: string[] }>('window.seen');
    assert.equal(seen.max, 100, `progress bar reached ${seen.max}%`);
    assert.ok(seen.phases.includes('sending'), `phases ${seen.phases}`);
    const infoHash = page.url().slice(-40);

    // the torrent page: name, file tree, info_hash; its .torrent hashes to that info_hash
    await page.locator('[data-testid=torrent-name]').waitFor();
    assert.equal(await page.textContent('[data-testid=torrent-name]'), 'holiday-photos');
    assert.equal(await page.textContent('[data-testid=info-hash]'), infoHash);
    // next to the magnet buttons: which clients start from the magnet alone (docs/clients.md)
    assert.match(await page.textContent('[data-testid=magnet-note]') ?? '', /Magnet links work without peers in WebTorrent\.\s+Transmission, qBittorrent, .* need a peer to start from a magnet link/);
    const tree = await page.textContent('[data-testid=file-tree]');
    assert.match(tree ?? '', /docs\//);
    assert.match(tree ?? '', /b\.txt/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-torrent]')]);
    const file = path.join(work, 'dl.torrent');
    await download.saveAs(file);
    const meta = readFileSync(file);
    const span = findTopLevelValue(meta, 'info');
    assert.ok(span, 'the .torrent has an info dict');
    assert.equal(createHash('sha1').update(meta.subarray(span[0], span[1])).digest('hex'), infoHash);
    // the format chosen on the page: a hybrid (BEP 52 file tree beside the v1 pieces)
    assert.ok(meta.subarray(span[0], span[1]).includes('12:meta versioni2e'), 'a hybrid info dict');
    assert.ok(findTopLevelValue(meta, 'piece layers') !== null, 'piece layers beside the info dict');

    // the list shows it; announces change its counts without a reload
    await page.click('a.brand');
    await page.waitForURL((u) => u.pathname === '/');
    const row = page.locator(`[data-infohash="${infoHash}"]`);
    await row.waitFor();
    await page.locator('.live-dot.on').waitFor();
    await until('0 seeders in the list', textIs(row.locator('[data-testid=seeders]'), '0'));
    await page.evaluate('window.marker = 42'); // survives only without a reload
    await announce(srv.announceUrl, { infoHash, peerId: '-qB4650-seeder000001', port: 51413, left: 0, event: 'started' });
    await until('1 seeder in the list', textIs(row.locator('[data-testid=seeders]'), '1'));
    await announce(srv.announceUrl, { infoHash, peerId: '-TR3000-leecher00001', port: 51414, left: 1000, event: 'started' });
    await until('1 leecher in the list', textIs(row.locator('[data-testid=leechers]'), '1'));
    assert.equal(await page.evaluate('window.marker'), 42, 'the page was not reloaded');
    await page.screenshot({ path: path.join(SHOTS, 'torrents.png') });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: path.join(SHOTS, 'torrents-phone.png') });
    await page.setViewportSize({ width: 1200, height: 850 });

    // the torrent page follows too, and shows the peers to an admin
    await row.locator('a.name').click();
    await page.waitForURL(`**/t/${infoHash}`);
    await until('1 seeder on the torrent page', textIs(page.locator('[data-testid=seeders]'), '1'));
    await page.locator('[data-testid=peer-table]').waitFor();
    await announce(srv.announceUrl, { infoHash, peerId: '-TR3000-leecher00002', port: 51415, left: 500, event: 'started' });
    await until('2 leechers on the torrent page', textIs(page.locator('[data-testid=leechers]'), '2'));
    await announce(srv.announceUrl, { infoHash, peerId: '-TR3000-leecher00001', port: 51414, left: 0, event: 'completed' });
    await until('2 seeders, 1 leecher', async () => (await textIs(page.locator('[data-testid=seeders]'), '2')()) && (await textIs(page.locator('[data-testid=leechers]'), '1')()));
    await until('3 peers in the table', async () => (await page.locator('[data-testid=peer-table] tbody tr').count()) === 3);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, 'torrent.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: path.join(SHOTS, 'torrent-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1200, height: 850 });

    // an admin pages a big swarm: a bounded table of 50 peers with next/previous, paged on the server
    assert.equal(await page.locator('[data-testid=next-peers]').count(), 0, 'no pages for 3 peers');
    for (let a = 0; a < 7; a++) {
      for (let i = 0; i < 8; i++) {
        await announce(srv.announceUrl, { infoHash, peerId: `-TR3000-big${a}${i}`.padEnd(20, '0'), port: 52000 + i, left: 100, event: 'started' }, undefined, `127.0.0.${20 + a}`);
      }
    }
    await until('57 leechers on the page', async () => (await textIs(page.locator('[data-testid=leechers]'), '57')()));
    await until('a first page of 50 peers', async () => (await page.locator('[data-testid=peer-table] tbody tr').count()) === 50);
    await page.click('[data-testid=next-peers]');
    await until('the other 9 peers on the next page', async () => (await page.locator('[data-testid=peer-table] tbody tr').count()) === 9);
    assert.equal(await page.textContent('[data-testid=peer-page]'), 'Peers 51–59');
    assert.ok(await page.locator('[data-testid=next-peers]').isDisabled(), 'no page after the last');
    await page.click('[data-testid=previous-peers]');
    await until('back to the first 50', async () => (await page.locator('[data-testid=peer-table] tbody tr').count()) === 50);

    // account and users pages
    await page.goto('/account');
    await page.fill('#token-name', 'backup script');
    await page.click('button:has-text("Create token")');
    await page.locator('[data-testid=new-token]').waitFor();
    await page.getByRole('cell', { name: 'backup script' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'account.png') });
    await page.goto('/users');
    await page.getByRole('cell', { name: /admin/ }).first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'users.png') });

    // delete with confirmation
    await page.goto(`/t/${infoHash}`);
    await page.click('button:has-text("Delete")');
    await page.click('button:has-text("Delete permanently")');
    await page.waitForURL((u) => u.pathname === '/');
    await page.getByText('No torrents yet').waitFor();
    assert.equal((await httpGet(`${srv.baseUrl}/torrents/${infoHash}.torrent`)).status, 404);
  });

  it('lists a torrent of many files a page at a time, showing more on demand', async () => {
    const token = await login(srv.baseUrl, ADMIN.username, ADMIN.password);
    const infoHash = await registerAs(srv.baseUrl, token, makeMultiFileTorrent('big-set', Array.from({ length: 1200 }, (_, i) => [`f${String(i).padStart(4, '0')}.dat`, 10])));
    await page.goto(`/t/${infoHash}`);
    const shown = page.locator('[data-testid=files-shown]');
    await until('the first page of files', textIs(shown, '500 of 1200 files shown'));
    await page.click('[data-testid=show-more-files]');
    await until('the second page', textIs(shown, '1000 of 1200 files shown'));
    await page.click('[data-testid=show-more-files]');
    await page.getByText('f1199.dat').waitFor();
    assert.equal(await page.locator('[data-testid=show-more-files]').count(), 0);
    assert.equal(await page.locator('[data-testid=file-tree] tbody tr').count(), 1200);
  });
});

// Runs in the page (root tsconfig has no DOM types): records the highest value the progress bar
// shows and the upload phases, in window.seen.
const RECORD_PROGRESS = `
  window.seen = { max: 0, phases: [] };
  new MutationObserver(() => {
    const bar = document.querySelector('[role=progressbar]');
    const box = document.querySelector('[data-testid=upload-progress]');
    if (bar) window.seen.max = Math.max(window.seen.max, Number(bar.getAttribute('aria-valuenow')));
    const ph = box && box.getAttribute('data-phase');
    if (ph && !window.seen.phases.includes(ph)) window.seen.phases.push(ph);
  }).observe(document.body, { subtree: true, childList: true, attributes: true });
`;
