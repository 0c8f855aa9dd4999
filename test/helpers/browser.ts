// Debian's chromium driven by playwright-core for the browser tests: launch flags, the web UI
// build, a polling wait, sign-in, and where screenshots go (test-artifacts/ui/, gitignored).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { needs } from './environment.js';
import { REPO_ROOT } from './test-server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/**
 * WebRTC between headless profiles on one machine (docs/ws-tracker.md): host candidates as plain
 * addresses rather than mDNS `.local` names, so nothing depends on resolving them.
 */
export const WEBRTC_ARGS = ['--disable-features=WebRtcHideLocalIpsWithMdns'];
export const SHOTS = path.join(REPO_ROOT, 'test-artifacts', 'ui');
export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/** A skip reason when chromium is missing (a failure under CI=true). */
export const needsChromium = (): string | false => needs(existsSync(CHROMIUM), 'Debian chromium at /usr/bin/chromium (apt-get install -y chromium)');

/** Builds the web UI when client/dist is missing or older than its sources (npm test builds it already). */
export function ensureClientBuild(): void {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'client/scripts/ensure-build.mjs')], { stdio: 'inherit' });
  assert.equal(r.status, 0, 'client build failed');
}

/** Polls `check` until it returns true (10 s by default). */
export async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const textIs = (l: Locator, want: string) => async (): Promise<boolean> => (await l.first().textContent())?.trim() === want;

export interface Browser {
  ctx: BrowserContext;
  page: Page;
  /** Port chromium's DevTools protocol listens on (for Lighthouse), when asked for. */
  debugPort?: number;
  close(): Promise<void>;
}

/** Launches chromium with a fresh profile against `baseUrl`; page errors are printed as test comments. */
export async function launchBrowser(baseUrl: string, opts: { debugPort?: number; viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  const profile = mkdtempSync(path.join(tmpdir(), 'seedhost-chromium-'));
  const args = opts.debugPort === undefined ? CHROMIUM_ARGS : [...CHROMIUM_ARGS, `--remote-debugging-port=${opts.debugPort}`];
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args, acceptDownloads: true,
    viewport: opts.viewport ?? DESKTOP, colorScheme: 'light', baseURL: baseUrl,
  });
  const page = ctx.pages()[0] ?? await ctx.newPage();
  page.on('pageerror', (e) => process.stdout.write(`# page error: ${e.message}\n`));
  return {
    ctx, page, debugPort: opts.debugPort,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login page and waits for the torrent list. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/');
}
