// Issue 18 item 4: "Download in browser" on the torrent page, in Debian chromium. Page A downloads a
// hosted torrent with WebTorrent's browser build from the webseed, saves a file, and plays a WAV
// streamed through WebTorrent's service worker; page B (another browser profile), with every
// webseed request aborted by route interception, completes the same download from page A over
// WebRTC, introduced by seedhost's WebSocket tracker; the saved bytes are compared with the
// originals. Flags chromium needs for WebRTC between two headless profiles: WEBRTC_ARGS.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { publishTorrent } from '../../../server/services/publish-torrent.js';
import { CHROMIUM, CHROMIUM_ARGS, DESKTOP, ensureClientBuild, needsChromium, SHOTS, until, WEBRTC_ARGS } from '../../helpers/browser.js';
import { databaseKinds } from '../../helpers/databases.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';

/** How long a download may take here (each takes a few seconds on a busy 2-core machine). */
const DOWNLOAD_LIMIT_MS = 90_000;
const PIECE_LENGTH = 16384;

/** Two seconds of a 440 Hz tone, 16-bit mono PCM at 8 kHz: a WAV every chromium plays. */
function wav(seconds: number, rate = 8000): Buffer {
  const samples = seconds * rate;
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + samples * 2, 4); b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34); b.write('data', 36); b.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return b;
}

const FILES: Record<string, Buffer> = { 'tone.wav': wav(2), 'data/random.bin': randomBytes(300_001) };
const TOTAL = Object.values(FILES).reduce((s, b) => s + b.length, 0);
const stream = async function* (b: Buffer): AsyncGenerator<Buffer> { yield b; };

interface Figures { phase: string; fromPeers: number; fromWebseed: number; uploaded: number; peers: number }

describe('download in the browser (WebTorrent over the webseed and WebRTC)', { skip: needsChromium() }, () => {
  let srv: TestServer;
  let browser: Browser;
  let hash: string;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ensureClientBuild();
    srv = await startTestServer(databaseKinds()[0]);
    const deps = { ds: srv.server.ds, files: srv.server.files, events: srv.server.events, publicUrl: srv.baseUrl, maxUploadBytes: 0 };
    hash = (await publishTorrent(deps, {
      name: 'browser-download', pieceLength: PIECE_LENGTH,
      files: Object.entries(FILES).map(([p, b]) => ({ path: p, size: b.length, stream: stream(b) })),
    })).infoHash;
    await until('the torrent is registered', async () => srv.server.registered.has(hash));
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...WEBRTC_ARGS] });
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await srv?.close();
  });

  /** A fresh profile on the torrent's page, "Download in browser" clicked; `prepare` runs before anything loads. */
  async function openPage(opts: { serviceWorkers?: 'allow' | 'block' } = {}, prepare?: (ctx: BrowserContext) => Promise<void>): Promise<Page> {
    const ctx = await browser.newContext({ baseURL: srv.baseUrl, acceptDownloads: true, viewport: DESKTOP, ...opts });
    contexts.push(ctx);
    await prepare?.(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => process.stdout.write(`# page error: ${e.message}\n`));
    await page.goto(`/t/${hash}`);
    await page.getByTestId('browser-start').click();
    return page;
  }

  async function figures(page: Page): Promise<Figures> {
    const attr = async (id: string, name: string): Promise<string> => await page.getByTestId(id).getAttribute(name, { timeout: 1000 }) ?? '';
    return {
      phase: await attr('browser-download', 'data-phase'),
      fromPeers: Number(await attr('browser-from-peers', 'data-bytes')), fromWebseed: Number(await attr('browser-from-webseed', 'data-bytes')),
      uploaded: Number(await attr('browser-to-peers', 'data-bytes')), peers: Number(await attr('browser-peers', 'data-count')),
    };
  }

  async function untilSeeding(page: Page, who: string): Promise<Figures> {
    await until(`${who} completes the download`, async () => (await figures(page)).phase === 'seeding', DOWNLOAD_LIMIT_MS);
    await until(`${who} shows every file complete`, async () => await page.locator('[data-testid=browser-file][data-done=false]').count() === 0);
    return figures(page);
  }

  /** Clicks a file's Save and returns the bytes chromium saved. */
  async function save(page: Page, file: string): Promise<Buffer> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid=browser-file][data-path="browser-download/${file}"] [data-testid=browser-save]`).click()]);
    assert.equal(download.suggestedFilename(), path.posix.basename(file));
    return readFileSync(await download.path());
  }

  let pageA: Page;

  it('page A downloads from the webseed, saves the files and plays the WAV through the service worker', async () => {
    pageA = await openPage();
    const a = await untilSeeding(pageA, 'page A');
    process.stdout.write(`# page A: ${JSON.stringify(a)}\n`);
    assert.equal(a.fromPeers, 0, 'nobody else was there');
    assert.equal(a.uploaded, 0);
    assert.ok(a.fromWebseed >= TOTAL, `${a.fromWebseed} bytes from the webseed`);
    for (const [file, bytes] of Object.entries(FILES)) assert.ok((await save(pageA, file)).equals(bytes), `${file} saved intact`);
    await pageA.locator('[data-testid=browser-file][data-path="browser-download/tone.wav"] [data-testid=browser-play]').click();
    const player = pageA.getByTestId('browser-player');
    type Media = { readyState: number; currentSrc: string; duration: number };
    await until('the WAV loads in the player', async () => await player.evaluate((el) => (el as unknown as Media).readyState >= 1));
    const { src, duration } = await player.evaluate((el) => ({ src: (el as unknown as Media).currentSrc, duration: (el as unknown as Media).duration }));
    assert.equal(new URL(src).pathname.startsWith('/t/webtorrent/'), true, `streamed through the worker: ${src}`);
    assert.ok(Math.abs(duration - 2) < 0.01, `duration ${duration}`);
  });

  it('page B, with the webseed blocked, completes the download from page A over WebRTC', async () => {
    assert.ok(pageA, 'page A is seeding');
    let blocked = 0;
    // no service worker in B: webseed fetches stay the page's own, where route interception sees them
    const pageB = await openPage({ serviceWorkers: 'block' }, async (ctx) => { await ctx.route('**/webseed/**', (route) => { blocked++; return route.abort(); }); });
    const b = await untilSeeding(pageB, 'page B');
    await until('page A counts what it sent', async () => (await figures(pageA)).uploaded >= TOTAL);
    const a = await figures(pageA);
    process.stdout.write(`# page B: ${JSON.stringify(b)}; webseed requests blocked: ${blocked}; page A shared ${a.uploaded} bytes\n`);
    await pageB.screenshot({ path: path.join(SHOTS, 'browser-download.png'), fullPage: true });
    assert.equal(b.fromWebseed, 0, 'no byte came from the webseed');
    assert.ok(b.fromPeers >= TOTAL, `${b.fromPeers} bytes from page A`);
    for (const [file, bytes] of Object.entries(FILES)) assert.ok((await save(pageB, file)).equals(bytes), `${file} saved intact`);
  });
});
