// Issue 15 item 4: the torrent list keeps its place. Search and order are in the URL (a reload
// shows the same list), a torrent published meanwhile is inserted without collapsing the loaded
// pages or moving the scroll position, and going back from a torrent restores the list as it was.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, ensureClientBuild, launchBrowser, needsChromium, SHOTS, signIn, until } from '../../helpers/browser.js';
import { databaseKinds } from '../../helpers/databases.js';
import { login, registerAs } from '../../helpers/graphql-client.js';
import { makeTorrent } from '../../helpers/make-torrent.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';

const ADMIN = { username: 'admin', password: 'correct horse battery' };

describe('the torrent list keeps its place', { skip: needsChromium() }, () => {
  let srv: TestServer;
  let b: Browser;
  let token: string;
  const rows = () => b.page.locator('ul.list li.torrent');
  const scrollY = () => b.page.evaluate<number>('window.scrollY');

  before(async () => {
    ensureClientBuild();
    srv = await startTestServer(databaseKinds()[0], { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    token = await login(srv.baseUrl, ADMIN.username, ADMIN.password);
    for (let i = 0; i < 36; i++) await registerAs(srv.baseUrl, token, makeTorrent({ name: `set-${String(i).padStart(2, '0')}.bin` }));
    b = await launchBrowser(srv.baseUrl);
    await signIn(b.page, ADMIN.username, ADMIN.password);
  });

  after(async () => {
    await b?.page.screenshot({ path: path.join(SHOTS, 'list-place-last.png') }).catch(() => undefined);
    await b?.close();
    await srv?.close();
  });

  it('keeps search and order in the query string, and a reload shows the same list', async () => {
    const { page } = b;
    await page.fill('#search', 'SET-1');
    await page.waitForURL((u) => u.searchParams.get('q') === 'SET-1');
    await page.selectOption('#sort', 'NAME');
    await page.waitForURL((u) => u.searchParams.get('sort') === 'name');
    await until('ten matches by name', async () => (await rows().count()) === 10);
    await page.reload();
    assert.equal(await page.inputValue('#search'), 'SET-1');
    assert.equal(await page.inputValue('#sort'), 'NAME');
    await until('the same ten after the reload', async () => (await rows().count()) === 10);
    assert.equal((await rows().first().locator('a.name').textContent())?.trim(), 'set-10.bin');
    await page.click('button.dir');
    await page.waitForURL((u) => u.searchParams.get('dir') === 'desc');
    await until('set-19 first, descending', async () => (await rows().first().locator('a.name').textContent())?.trim() === 'set-19.bin');
  });

  it('inserts a torrent published meanwhile on top, keeping loaded pages and scroll', async () => {
    const { page } = b;
    await page.goto('/');
    await until('the first page', async () => (await rows().count()) === 25);
    await page.click('button:has-text("Load more")');
    await until('both pages', async () => (await rows().count()) === 36);
    await rows().nth(30).scrollIntoViewIfNeeded();
    const y = await scrollY();
    assert.ok(y > 0, 'scrolled down');
    const added = await registerAs(srv.baseUrl, token, makeTorrent({ name: 'published-meanwhile.bin' }));
    await page.locator(`[data-infohash="${added}"]`).waitFor();
    assert.equal(await rows().count(), 37, 'no page was dropped');
    assert.equal(await rows().first().getAttribute('data-infohash'), added);
    assert.equal((await page.textContent('[data-testid=torrent-count]'))?.trim(), '37 torrents');
    assert.ok(Math.abs((await scrollY()) - y) < 200, `scroll kept near ${y}`);
  });

  it('comes back from a torrent with its pages and scroll position as they were', async () => {
    const { page } = b;
    const row = rows().nth(33);
    await row.scrollIntoViewIfNeeded();
    const y = await scrollY();
    const hash = await row.getAttribute('data-infohash');
    await row.locator('a.name').click();
    await page.waitForURL(`**/t/${hash}`);
    await page.locator('[data-testid=torrent-name]').waitFor();
    await page.goBack();
    await page.waitForURL((u) => u.pathname === '/');
    assert.equal(await rows().count(), 37, 'the loaded pages are still there');
    await until('the scroll position restored', async () => Math.abs((await scrollY()) - y) < 2);
    await page.screenshot({ path: path.join(SHOTS, 'list-after-back.png') });
  });

  it('offers, rather than inserts, a torrent published while searching', async () => {
    const { page } = b;
    await page.goto('/?q=set-0');
    await until('ten matches', async () => (await rows().count()) === 10);
    await registerAs(srv.baseUrl, token, makeTorrent({ name: 'set-0-late.bin' }));
    await page.getByRole('status').filter({ hasText: '1 torrent was published since this list loaded.' }).waitFor();
    assert.equal(await rows().count(), 10, 'the list did not change by itself');
    await page.click('button:has-text("Show the list as it is now")');
    await until('eleven matches', async () => (await rows().count()) === 11);
  });
});
