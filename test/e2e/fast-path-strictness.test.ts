// The fast path is exactly as strict as Node's parser: every head below goes to a plain Node http
// server (the same options as seedhost's) and to seedhost. Where Node refuses, seedhost must not
// reach the tracker; where Node handles a request, seedhost must answer it as a tracker request; a
// request smuggled in a body runs on seedhost only if Node, too, reads it as a request.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MAX_HEAD_BYTES } from '../../server/http/tracker-fast-path.js';
import { databaseKinds } from '../helpers/databases.js';
import { exchangeUntilClosed } from '../helpers/raw-http.js';
import { registerViaCli, startTestServer, type TestServer } from '../helpers/test-server.js';
import { announceUrl } from '../helpers/tracker-client.js';

/** What a plain Node server did with one connection's bytes. */
interface NodeVerdict {
  handled: number;
  answered: boolean;
}

/** A Node http server as seedhost builds it, counting the requests it hands to its listener. */
async function referenceServer(): Promise<{ port: number; judge(bytes: string): Promise<NodeVerdict>; close(): Promise<void> }> {
  let handled = 0;
  const server = http.createServer({ maxHeaderSize: MAX_HEAD_BYTES }, (_req, res) => {
    handled++;
    res.end('ok');
  });
  server.on('clientError', (_err, socket) => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    async judge(bytes) {
      handled = 0;
      const raw = await exchangeUntilClosed(port, bytes, true);
      return { handled, answered: raw.length > 0 };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('fast path strictness against Node\'s parser', () => {
  let t: TestServer;
  let node: Awaited<ReturnType<typeof referenceServer>>;
  let hash: string;
  let nextPort = 20_000;
  const target = (port: number): string => {
    const u = new URL(announceUrl('http://x/announce', { infoHash: hash, peerId: `-XX0001-${port}`, port, left: 1 }));
    return `${u.pathname}${u.search}`;
  };
  const ports = async (): Promise<Set<number>> => new Set((await t.server.store.peers(hash)).map((p) => p.port));

  /** Sends `bytes(first, smuggled)` to both servers; returns Node's verdict and what seedhost did. */
  async function probe(bytes: (first: number, smuggled: number) => string): Promise<{ node: NodeVerdict; tracker: number; answered: boolean; ran: { first: boolean; smuggled: boolean } }> {
    const first = nextPort++;
    const smuggled = nextPort++;
    const verdict = await node.judge(bytes(first, smuggled));
    const raw = (await exchangeUntilClosed(t.server.port, bytes(first, smuggled), true)).toString('latin1');
    // a tracker answer is any bencoded reply but the HTTP-level refusals
    const bodies = raw.split(/HTTP\/1\.1 200 OK\r\n[^]*?\r\n\r\n/).slice(1);
    const tracker = bodies.filter((b) => b.startsWith('d') && !/^d14:failure reason\d+:(malformed HTTP request|request too long)e/.test(b)).length;
    const p = await ports();
    return { node: verdict, tracker, answered: raw.length > 0, ran: { first: p.has(first), smuggled: p.has(smuggled) } };
  }

  /**
   * Asserts seedhost is no more lenient than Node on `bytes`, and answers what Node answers;
   * `stricter`: seedhost refuses on purpose what Node handles.
   */
  async function agrees(what: string, bytes: (first: number, smuggled: number) => string, stricter = false): Promise<void> {
    const r = await probe(bytes);
    if (stricter) {
      assert.ok(r.node.handled > 0, `${what}: Node refuses it too; drop the exception`);
      assert.ok(r.answered && r.tracker === 0 && !r.ran.first, `${what}: seedhost did not refuse it`);
      return;
    }
    if (r.node.handled === 0) {
      assert.equal(r.tracker, 0, `${what}: Node refuses it, seedhost answered it as a tracker request`);
      assert.ok(!r.ran.first && !r.ran.smuggled, `${what}: Node refuses it, seedhost ran it`);
    } else {
      assert.ok(r.tracker >= 1, `${what}: Node handles it, seedhost did not answer it as a tracker request`);
    }
    if (r.ran.smuggled) assert.equal(r.node.handled, 2, `${what}: seedhost ran the request in the body, Node does not`);
    assert.equal(r.answered, r.node.answered, `${what}: only one of them answered`);
  }

  before(async () => {
    t = await startTestServer(databaseKinds()[0]);
    node = await referenceServer();
    hash = await registerViaCli(t);
  });
  after(async () => {
    await node.close();
    await t.close();
  });

  // a head that declares a body in some malformed way, with a second announce as that body
  const withBody = (header: string) => (first: number, smuggled: number): string => {
    const body = `GET ${target(smuggled)} HTTP/1.1\r\nHost: x\r\n\r\n`;
    return `GET ${target(first)} HTTP/1.1\r\nHost: x\r\n${header.replace('N', String(body.length))}\r\n\r\n${body}`;
  };
  const cases: [string, (first: number, smuggled: number) => string, boolean?][] = [
    ['a space before the colon of Content-Length', withBody('Content-Length : N')],
    ['a tab before the colon of Content-Length', withBody('Content-Length\t: N')],
    ['a NUL in a header name', withBody('Content-Length\0: N')],
    ['a length after a bare LF', withBody('X-A: 1\nContent-Length: N')],
    ['Content_Length', withBody('Content_Length: N')],
    ['a valid Content-Length', withBody('Content-Length: N')],
    ['two Content-Lengths', withBody('Content-Length: N\r\nContent-Length: N')],
    ['a signed Content-Length', withBody('Content-Length: +N')],
    ['Transfer-Encoding and Content-Length', withBody('Transfer-Encoding: chunked\r\nContent-Length: N')],
    ['a folded header', withBody('X-A: 1\r\n Content-Length: N')],
    ['a bare CR in a value', withBody('X-A: 1\rContent-Length: N')],
    ['a header without a colon', withBody('Content-Length N')],
    ['an empty header name', withBody(': N')],
    ['bare LF line ends', (a) => `GET ${target(a)} HTTP/1.1\nHost: x\n\n`],
    ['a bare LF ending the head', (a) => `GET ${target(a)} HTTP/1.1\r\nHost: x\r\n\n`],
    // Node reads a versionless line as HTTP/0.9 and waits for headers; seedhost refuses it at once
    ['HTTP/0.9 with headers', (a) => `GET ${target(a)}\r\nHost: x\r\n\r\n`, true],
    ['HTTP/1.2', (a) => `GET ${target(a)} HTTP/1.2\r\nHost: x\r\n\r\n`],
    ['a lowercase version', (a) => `GET ${target(a)} http/1.1\r\nHost: x\r\n\r\n`],
    ['a lowercase method', (a) => `get ${target(a)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['two spaces after the method', (a) => `GET  ${target(a)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['two spaces before the version', (a) => `GET ${target(a)}  HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['a tab before the version', (a) => `GET ${target(a)}\tHTTP/1.1\r\nHost: x\r\n\r\n`],
    ['no Host on HTTP/1.1', (a) => `GET ${target(a)} HTTP/1.1\r\n\r\n`],
    ['no Host on HTTP/1.0', (a) => `GET ${target(a)} HTTP/1.0\r\n\r\n`],
    ['two Hosts', (a) => `GET ${target(a)} HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n`],
    ['an empty line before the request', (a) => `\r\nGET ${target(a)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['a fragment in the target', (a) => `GET ${target(a)}#f HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['an absolute-form target', (a) => `GET http://h${target(a)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['Expect: 100-continue', (a) => `GET ${target(a)} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n`],
    ['Upgrade without Connection: upgrade', (a) => `GET ${target(a)} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n`],
    ['trailing whitespace in a value', (a) => `GET ${target(a)} HTTP/1.1\r\nHost: x \t\r\n\r\n`],
    ['obs-text in a value', (a) => `GET ${target(a)} HTTP/1.1\r\nHost: x\r\nUser-Agent: caf\xe9\r\n\r\n`],
    ['a head over MAX_HEAD_BYTES whose fields Node still counts within its limit', (a) => `GET ${target(a)} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(MAX_HEAD_BYTES - 11 - target(a).length)}\r\n\r\n`],
    ['a head just over the size limit', (a) => `GET ${target(a)} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`],
    ['Connection: close then a pipelined request', (a, b) => `GET ${target(a)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET ${target(b)} HTTP/1.1\r\nHost: x\r\n\r\n`],
  ];
  for (const [what, bytes, stricter] of cases) it(`${stricter === true ? 'is stricter on' : 'agrees on'} ${what}`, () => agrees(what, bytes, stricter));

  // every byte value in the three places a head carries free text
  const places: [string, (b: string) => (first: number) => string][] = [
    ['the query', (c) => (a) => `GET ${target(a)}&z=a${c}b HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['a header name', (c) => (a) => `GET ${target(a)} HTTP/1.1\r\nHost: x\r\nX${c}Y: 1\r\n\r\n`],
    ['a header value', (c) => (a) => `GET ${target(a)} HTTP/1.1\r\nHost: x\r\nX-A: a${c}b\r\n\r\n`],
  ];
  for (const [where, at] of places) {
    it(`agrees on each of the 256 byte values in ${where}`, async () => {
      for (let b = 0; b < 256; b++) await agrees(`byte 0x${b.toString(16)} in ${where}`, at(String.fromCharCode(b)));
    });
  }
});
