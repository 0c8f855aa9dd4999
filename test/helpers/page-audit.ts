// Issue 15, how it must be shown: every page, signed out and as an admin, at 1366x768 and 390x844,
// checked by axe-core (no serious or critical violation; colour contrast in the dark scheme too)
// and by Lighthouse 12 (accessibility and best practices 100), with the bytes one full load of
// the page transfers printed and a screenshot of each kept in test-artifacts/ui/.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import lighthouse from 'lighthouse';
import type { Page } from 'playwright-core';
import { DESKTOP, ensureClientBuild, launchBrowser, needsChromium, PHONE, SHOTS, signIn, type Browser } from './browser.js';
import { databaseKinds } from './databases.js';
import { fileParts, login, ok, registerAs, upload } from './graphql-client.js';
import { makeTorrent } from './make-torrent.js';
import { startTestServer, type TestServer } from './test-server.js';
import { announce } from './tracker-client.js';

const ADMIN = { username: 'admin', password: 'correct horse battery' };
const DEBUG_PORT = 9300 + (process.pid % 500);

interface Audited { page: string; who: string; view: string; axe: number; a11y: number; bp: number; transfer: number }

/** The audit of every page one visitor sees (`who`), at both sizes. */
export function describePageAudit(who: 'anonymous' | 'admin'): void {
describe(`every page passes axe and Lighthouse (${who}, desktop and phone)`, { skip: needsChromium() }, () => {
  let srv: TestServer;
  let b: Browser;
  let hosted: string;
  const results: Audited[] = [];

  before(async () => {
    ensureClientBuild();
    srv = await startTestServer(databaseKinds()[0], { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    const token = await login(srv.baseUrl, ADMIN.username, ADMIN.password);
    const files: [string, Buffer][] = [['photos/a.jpg', Buffer.alloc(50_000, 1)], ['photos/raw/b.raw', Buffer.alloc(120_000, 2)], ['photos/readme.txt', Buffer.from('hello\n')]];
    hosted = ok(await upload(srv.baseUrl, UPLOAD, { files: [null, null, null], name: 'photos' }, fileParts(files), { token })).uploadTorrent.infoHash;
    const tracked = await registerAs(srv.baseUrl, token, makeTorrent({ name: 'a-tracked-only-release-with-a-rather-long-name.iso' }));
    await announce(srv.announceUrl, { infoHash: tracked, peerId: '-qB4650-audit0000001', port: 6881, left: 0, event: 'started' });
    await announce(srv.announceUrl, { infoHash: hosted, peerId: '-TR3000-audit0000002', port: 6882, left: 100, event: 'started' });
    await srv.server.history.sample(Date.now() - 120_000);
    b = await launchBrowser(srv.baseUrl, { debugPort: DEBUG_PORT });
  });

  after(async () => {
    await b?.close();
    await srv?.close();
    if (results.length) {
      process.stdout.write('# page | who | view | axe serious+critical | Lighthouse a11y | best practices | full-load transfer\n');
      for (const r of results) process.stdout.write(`# ${r.page} | ${r.who} | ${r.view} | ${r.axe} | ${r.a11y} | ${r.bp} | ${r.transfer} B\n`);
    }
  });

  /** Loads `url` with the cache off; returns the bytes its documents and assets took on the wire. */
  async function load(page: Page, url: string, ready: string): Promise<number> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(url);
    await page.locator(ready).first().waitFor();
    await page.waitForLoadState('networkidle');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    await cdp.detach();
    return page.evaluate<number>(`performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).reduce((s, e) => s + e.transferSize, 0)`);
  }

  async function audit(name: string, url: string, ready: string, who: string, view: 'desktop' | 'phone'): Promise<void> {
    const { page } = b;
    const vp = view === 'desktop' ? DESKTOP : PHONE;
    await page.setViewportSize(vp);
    const transfer = await load(page, url, ready);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${who}-${view}.png`), fullPage: true });
    const axe = await new AxeBuilder({ page }).analyze();
    const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    if (view === 'desktop') { // the dark scheme's colours
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.waitForTimeout(300); // past the colour transitions
      const dark = await new AxeBuilder({ page }).withRules(['color-contrast']).analyze();
      bad.push(...dark.violations.map((v) => ({ ...v, id: `${v.id} (dark)` })));
      await page.emulateMedia({ colorScheme: 'light' });
    }
    const mobile = view === 'phone';
    const run = await lighthouse(`${srv.baseUrl}${url}`, {
      port: DEBUG_PORT, output: 'json', logLevel: 'error', onlyCategories: ['accessibility', 'best-practices'],
      // 'simulate' throttles nothing in the browser either (it only models load times, for the
      // performance category, not run here), and unlike 'provided' it keeps FAST's zero quiet
      // windows: 'provided' raises each to 5.25 s, 11 s of waiting per page.
      disableStorageReset: true, throttlingMethod: 'simulate', formFactor: mobile ? 'mobile' : 'desktop',
      screenEmulation: { mobile, width: vp.width, height: vp.height, deviceScaleFactor: mobile ? 3 : 1, disabled: false },
    }, FAST);
    assert.ok(run, 'Lighthouse returned a result');
    const cats = run.lhr.categories;
    const score = (c: string): number => Math.round((cats[c]?.score ?? 0) * 100);
    const failing = Object.values(run.lhr.audits).filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary').map((a) => a.id);
    results.push({ page: name, who, view, axe: bad.length, a11y: score('accessibility'), bp: score('best-practices'), transfer });
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), [], `${name} (${who}, ${view}): axe`);
    assert.deepEqual([score('accessibility'), score('best-practices')], [100, 100], `${name} (${who}, ${view}): Lighthouse failing audits ${failing.join(', ')}`);
  }

  const signedOut = (): [string, string, string][] => [
    ['torrents', '/', 'li.torrent'],
    ['torrent', `/t/${hosted}`, '[data-testid=torrent-name]'],
    ['login', '/login', '#username'],
    ['not-found', '/t/not-a-hash', '[data-testid=not-found]'],
  ];
  const asAdmin = (): [string, string, string][] => [
    ...signedOut().filter(([n]) => n !== 'login'),
    ['upload', '/upload', '[data-testid=dropzone]'],
    ['track', '/upload?mode=torrent', '[data-testid=register-form]'],
    ['account', '/account', '#token-name'],
    ['users', '/users', '[data-testid=users-table]'],
  ];

  for (const view of ['desktop', 'phone'] as const) {
    it(`${who}, ${view}`, async () => {
      if (who === 'admin' && view === 'desktop') await signIn(b.page, ADMIN.username, ADMIN.password);
      for (const [name, url, ready] of who === 'admin' ? asAdmin() : signedOut()) await audit(name, url, ready, who, view);
    });
  }
});
}

// the page is loaded and idle already (its WebSocket stays open): no waits, no screenshots (the
// test keeps its own)
const FAST = {
  extends: 'lighthouse:default',
  settings: {
    onlyCategories: ['accessibility', 'best-practices'], disableFullPageScreenshot: true, pauseAfterFcpMs: 0, pauseAfterLoadMs: 0, networkQuietThresholdMs: 0, cpuQuietThresholdMs: 0,
    skipAudits: ['full-page-screenshot', 'screenshot-thumbnails', 'final-screenshot'],
  },
};

const UPLOAD = 'mutation($files: [Upload!]!, $name: String) { uploadTorrent(files: $files, name: $name) { infoHash } }';
