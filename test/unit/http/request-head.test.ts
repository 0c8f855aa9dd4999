import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTrackerHead } from '../../../server/http/request-head.js';

describe('parseTrackerHead', () => {
  it('reads a plain announce GET with its raw query', () => {
    assert.deepEqual(parseTrackerHead('GET /announce?info_hash=%01%02&port=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: qBittorrent/4.6'), {
      path: '/announce', query: 'info_hash=%01%02&port=1', keepAlive: true, xff: undefined,
    });
    assert.deepEqual(parseTrackerHead('GET /scrape HTTP/1.1\r\nHost: x'), { path: '/scrape', query: '', keepAlive: true, xff: undefined });
  });

  it('follows HTTP/1.0 and HTTP/1.1 keep-alive rules', () => {
    assert.equal(parseTrackerHead('GET /announce?a=1 HTTP/1.0\r\nHost: x')?.keepAlive, false);
    assert.equal(parseTrackerHead('GET /announce?a=1 HTTP/1.0\r\nConnection: Keep-Alive')?.keepAlive, true);
    assert.equal(parseTrackerHead('GET /announce?a=1 HTTP/1.1\r\nconnection: close')?.keepAlive, false);
  });

  it('joins X-Forwarded-For headers', () => {
    assert.equal(parseTrackerHead('GET /announce?a HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\nx-forwarded-for: 2.2.2.2')?.xff, '1.1.1.1,2.2.2.2');
  });

  const handedOver: [string, string][] = [
    ['another route', 'GET /graphql HTTP/1.1\r\nHost: x'],
    ['a longer path starting like announce', 'GET /announce2?x HTTP/1.1\r\nHost: x'],
    ['a HEAD request', 'HEAD /announce?x HTTP/1.1\r\nHost: x'],
    ['a POST', 'POST /announce HTTP/1.1\r\nContent-Length: 3'],
    ['a body', 'GET /announce?x HTTP/1.1\r\nContent-Length: 5'],
    ['chunked encoding', 'GET /announce?x HTTP/1.1\r\nTransfer-Encoding: chunked'],
    ['an upgrade', 'GET /announce?x HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket'],
    ['HTTP/2 preface-like versions', 'GET /announce?x HTTP/2.0\r\nHost: x'],
    ['a header without a colon', 'GET /announce?x HTTP/1.1\r\nbroken header'],
    ['obsolete line folding', 'GET /announce?x HTTP/1.1\r\nX-A: 1\r\n folded'],
    ['a space inside the target', 'GET /announce?x y HTTP/1.1\r\nHost: x'],
  ];
  for (const [what, head] of handedOver) {
    it(`leaves ${what} to Node's http parser`, () => assert.equal(parseTrackerHead(head), null));
  }
});
