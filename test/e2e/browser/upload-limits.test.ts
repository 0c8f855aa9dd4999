// Issue 15 item 1: the server's limits are in the API, the upload page checks them before
// sending, and a refusal reaches the page in words, also when the page's limits are stale and
// the server refuses a body it has not read yet.
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type Browser, ensureClientBuild, launchBrowser, needsChromium, SHOTS, signIn } from '../../helpers/browser.js';
import { databaseKinds } from '../../helpers/databases.js';
import { encodeMultipart, gql, login, multipartBody } from '../../helpers/graphql-client.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';

const ADMIN = { username: 'admin', password: 'correct horse battery' };
const MAX_UPLOAD = 100_000;

/**
 * Sends a request's head and the start of its body, then, once a reply came, keeps sending 64 KiB
 * every 20 ms (a browser still uploading a big file) until the server closes the connection.
 */
function refusedWhileSending(port: number, head: string, start: Buffer): Promise<{ text: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let sent = 0;
    let pump: ReturnType<typeof setInterval> | undefined;
    const timer = setTimeout(() => { clearInterval(pump); socket.destroy(); reject(new Error('the server kept reading a refused upload')); }, 15_000);
    socket.once('data', () => {
      pump = setInterval(() => { if (socket.writable) { socket.write(Buffer.alloc(65536, 1)); sent += 65536; } }, 20);
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined); // the server resets once it stops reading: expected here
    socket.on('close', () => {
      clearTimeout(timer);
      clearInterval(pump);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), sent });
    });
    socket.write(head);
    socket.write(start);
  });
}

/** Files of `sizes` bytes picked through the upload page's file input. */
async function pick(page: Page, sizes: number[]): Promise<void> {
  await page.setInputFiles('[data-testid=file-input]', sizes.map((n, i) => ({ name: `f${i}.bin`, mimeType: 'application/octet-stream', buffer: Buffer.alloc(n, i) })));
}

describe('upload limits', { skip: needsChromium() }, () => {
  let srv: TestServer;
  let b: Browser;
  const uploads: string[] = []; // multipart requests the page sent

  before(async () => {
    ensureClientBuild();
    srv = await startTestServer(databaseKinds()[0], { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, MAX_UPLOAD_BYTES: String(MAX_UPLOAD), MAX_TORRENT_FILES: '3' });
    b = await launchBrowser(srv.baseUrl);
    b.page.on('request', (r) => { if (/multipart/.test(r.headers()['content-type'] ?? '')) uploads.push(r.url()); });
  });

  after(async () => {
    await b?.page.screenshot({ path: path.join(SHOTS, 'upload-limits-last.png') }).catch(() => undefined);
    await b?.close();
    await srv?.close();
  });

  it('tells anyone the limits in Query.limits', async () => {
    const r = await gql(srv.baseUrl, LIMITS);
    assert.deepEqual(r.errors, undefined);
    assert.deepEqual(r.data?.limits, { maxUploadBytes: MAX_UPLOAD, maxTorrentFiles: 3, maxTorrentFileBytes: 10 * 1024 * 1024, maxNameBytes: 255, maxDescriptionLength: 20_000, maxSearchLength: 100 });
  });

  it('answers an oversize upload it has not read with its refusal, and reads the rest for a bounded time only', async () => {
    const token = await login(srv.baseUrl, ADMIN.username, ADMIN.password);
    const declared = 1024 * 1024 * 1024; // 1 GiB, never all sent
    const { body, contentType } = await encodeMultipart(multipartBody(UPLOAD, { files: [null], totalSize: declared }, [{ at: 'variables.files.0', filename: 'big.bin', data: Buffer.alloc(1024, 7) }]));
    const start = body.subarray(0, body.indexOf('big.bin') + 200); // operations, map, the file part's head and first bytes
    const head = `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: ${declared}\r\napollo-require-preflight: true\r\nAuthorization: Bearer ${token}\r\n\r\n`;
    const r = await refusedWhileSending(srv.server.port, head, start);
    assert.match(r.text, /^HTTP\/1\.1 200 /);
    assert.match(r.text, /\r\nConnection: close\r\n/i);
    const reply = JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4));
    assert.equal(reply.errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');
    assert.match(reply.errors[0].message, /exceeds the limit of 100000/);
    assert.ok(r.sent < declared, 'closed while the client was still sending');
  });

  it('shows the limits and refuses an oversize upload or too many files before sending anything', async () => {
    const { page } = b;
    await signIn(page, ADMIN.username, ADMIN.password);
    await page.goto('/upload');
    assert.equal((await page.textContent('[data-testid=upload-limits]'))?.trim().replace(/\u00a0/g, ' '), 'Up to 97.7 KiB and 3 files per torrent.');
    await pick(page, [150_000]);
    await page.getByRole('alert').filter({ hasText: 'These files come to 146 KiB; this server accepts at most 97.7 KiB per upload.' }).waitFor();
    assert.equal(await page.isDisabled('button:has-text("Publish")'), true);
    await page.screenshot({ path: path.join(SHOTS, 'upload-too-large.png') });
    await pick(page, [10, 10, 10, 10]);
    await page.fill('#name', 'four');
    await page.getByRole('alert').filter({ hasText: 'That is 4 files; a torrent on this server may have at most 3.' }).waitFor();
    assert.equal(await page.isDisabled('button:has-text("Publish")'), true);
    await page.press('#name', 'Enter'); // submitting the form sends nothing either
    await pick(page, [50_000]);
    assert.equal(await page.getByRole('alert').count(), 0);
    assert.equal(await page.isDisabled('button:has-text("Publish")'), false);
    assert.deepEqual(uploads, [], 'no upload was sent');
  });

  it('says which limit refused an upload the page thought fitted (its limits were stale)', async () => {
    const { page } = b;
    // the page loaded before an operator lowered MAX_UPLOAD_BYTES: its first limits say "no limit"
    let stale = true;
    await page.route('**/graphql', async (route) => {
      if (!stale || !/query Limits/.test(route.request().postData() ?? '')) return route.fallback();
      stale = false;
      const real = await (await route.fetch()).json();
      real.data.limits.maxUploadBytes = null;
      await route.fulfill({ json: real });
    });
    await page.goto('/upload');
    await page.getByText('Any size and 3 files per torrent.').waitFor();
    await pick(page, [3 * 1024 * 1024]);
    await page.click('button:has-text("Publish")');
    await page.getByRole('alert').filter({ hasText: 'The server refused this upload. These files come to 3.00 MiB; this server accepts at most 97.7 KiB per upload.' }).waitFor();
    assert.equal(uploads.length, 1, 'the stale page sent it');
    await page.screenshot({ path: path.join(SHOTS, 'upload-refused.png') });
    await page.unroute('**/graphql');
  });
});

const LIMITS = '{ limits { maxUploadBytes maxTorrentFiles maxTorrentFileBytes maxNameBytes maxDescriptionLength maxSearchLength } }';
const UPLOAD = 'mutation ($files: [Upload!]!, $totalSize: Float) { uploadTorrent(files: $files, totalSize: $totalSize) { infoHash } }';
