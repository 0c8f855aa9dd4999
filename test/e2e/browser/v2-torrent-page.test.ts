// The torrent page of v2 and hybrid torrents in chromium: the format and both hashes, reached by
// either hash in the URL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS as ARGS, ensureClientBuild, needsChromium } from '../../helpers/browser.js';
import { databaseKinds } from '../../helpers/databases.js';
import { libtorrentPython, needs } from '../../helpers/environment.js';
import { ADMIN, ADMIN_ENV, login, registerAs } from '../../helpers/graphql-client.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';
import { makeV2Set, type V2Set } from '../../helpers/v2-torrents.js';

const python = libtorrentPython();
const skip = needsChromium() || needs(python !== null, 'python3-libtorrent (apt-get install python3-libtorrent)');

describe('torrent page of v2 and hybrid torrents', { skip }, () => {
  let srv: TestServer;
  let ctx: BrowserContext;
  let page: Page;
  let profile: string;
  let set: V2Set;

  before(async () => {
    ensureClientBuild();
    srv = await startTestServer(databaseKinds()[0], ADMIN_ENV);
    set = makeV2Set(python as string);
    const token = await login(srv.baseUrl, ADMIN.username, ADMIN.password);
    for (const name of ['hybrid', 'v2']) await registerAs(srv.baseUrl, token, { file: set.torrent(name), infoHash: '' });
    profile = mkdtempSync(path.join(tmpdir(), 'seedhost-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, baseURL: srv.baseUrl });
    page = ctx.pages()[0] ?? await ctx.newPage();
  });
  after(async () => {
    await ctx?.close();
    await srv?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (set) rmSync(set.dir, { recursive: true, force: true });
  });

  it('shows a hybrid\'s format and both hashes, opened by its v2 hash', async () => {
    const [v1, v2] = set.hashes.get('hybrid') as [string, string];
    await page.goto(`/t/${v2}`);
    await page.waitForSelector('[data-testid=info-hash-v2]');
    assert.equal(await page.textContent('[data-testid=info-hash]'), v1);
    assert.equal(await page.textContent('[data-testid=info-hash-v2]'), v2);
    assert.match(await page.textContent('[data-testid=torrent-format]') ?? '', /hybrid/);
  });

  it('shows a v2-only torrent\'s hashes and format', async () => {
    const [, v2] = set.hashes.get('v2') as [string, string];
    await page.goto(`/t/${v2.slice(0, 40)}`);
    await page.waitForSelector('[data-testid=info-hash-v2]');
    assert.equal(await page.textContent('[data-testid=info-hash]'), v2.slice(0, 40));
    assert.equal(await page.textContent('[data-testid=info-hash-v2]'), v2);
    assert.match(await page.textContent('[data-testid=torrent-format]') ?? '', /^v2/);
  });
});
