import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHttp09RequestLine, isTrackerRequestLine, parseTrackerHead } from '../../../server/http/request-head.js';

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
    assert.equal(parseTrackerHead('GET /announce?a=1 HTTP/1.1\r\nHost: x\r\nconnection: close')?.keepAlive, false);
  });

  it('reads Connection as llhttp does: whole tokens, close winning on 1.1, keep-alive on 1.0', () => {
    const keepAlive = (v: string, c: string): boolean | undefined => parseTrackerHead(`GET /announce?a=1 HTTP/${v}\r\nHost: x\r\nConnection: ${c}`)?.keepAlive;
    assert.equal(keepAlive('1.1', 'foo, Close'), false);
    assert.equal(keepAlive('1.1', 'xclose'), true);
    assert.equal(keepAlive('1.1', 'close-foo'), true);
    assert.equal(keepAlive('1.0', 'foo,keep-alive'), true);
    assert.equal(keepAlive('1.0', 'keep-alivex'), false);
    assert.equal(keepAlive('1.0', 'close, keep-alive'), true);
    assert.equal(keepAlive('1.1', 'keep-alive, close'), false);
  });

  it('requires Host on HTTP/1.1 only, as Node does', () => {
    assert.equal(parseTrackerHead('GET /announce?a=1 HTTP/1.1\r\nUser-Agent: x'), null);
    assert.equal(parseTrackerHead('GET /announce?a=1 HTTP/1.0')?.keepAlive, false);
    assert.equal(parseTrackerHead('GET /announce?a=1 HTTP/1.1\r\nhOsT:')?.keepAlive, true);
  });

  it('trims only spaces and tabs around values (obs-text stays)', () => {
    assert.equal(parseTrackerHead('GET /announce?a HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: \t 1.1.1.1\xa0 \t')?.xff, '1.1.1.1\xa0');
  });

  it('joins X-Forwarded-For headers', () => {
    assert.equal(parseTrackerHead('GET /announce?a HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.1.1.1\r\nx-forwarded-for: 2.2.2.2')?.xff, '1.1.1.1,2.2.2.2');
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
    ['a space before a colon', 'GET /announce?x HTTP/1.1\r\nHost: x\r\nContent-Length : 5'],
    ['a tab before a colon', 'GET /announce?x HTTP/1.1\r\nHost: x\r\nContent-Length\t: 5'],
    ['a NUL in a header name', 'GET /announce?x HTTP/1.1\r\nHost: x\r\nX\0: 5'],
    ['a bare LF between headers', 'GET /announce?x HTTP/1.1\r\nHost: x\nContent-Length: 5'],
    ['a bare LF after the request line', 'GET /announce?x HTTP/1.1\nHost: x'],
    ['a bare CR in a value', 'GET /announce?x HTTP/1.1\r\nHost: x\rContent-Length: 5'],
    ['a control byte in a value', 'GET /announce?x HTTP/1.1\r\nHost: x\x01'],
    ['DEL in a value', 'GET /announce?x HTTP/1.1\r\nHost: x\x7f'],
    ['a byte >= 0x80 in the target', 'GET /announce?x\xe9 HTTP/1.1\r\nHost: x'],
    ['a tab in the target', 'GET /announce?x\ty HTTP/1.1\r\nHost: x'],
    ['an absolute-form target', 'GET http://h/announce?x HTTP/1.1\r\nHost: x'],
    ['two spaces before the version', 'GET /announce?x  HTTP/1.1\r\nHost: x'],
    ['an Expect header', 'GET /announce?x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue'],
    ['a Content-Length of 0', 'GET /announce?x HTTP/1.1\r\nHost: x\r\nContent-Length: 0'],
    ['an upgrade token among others', 'GET /announce?x HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade'],
    ['an empty header name', 'GET /announce?x HTTP/1.1\r\nHost: x\r\n: y'],
    ['a missing version (HTTP/0.9)', 'GET /announce?x'],
  ];
  for (const [what, head] of handedOver) {
    it(`leaves ${what} to Node's http parser`, () => assert.equal(parseTrackerHead(head), null));
  }

  it('tells HTTP/0.9 request lines from others', () => {
    assert.equal(isHttp09RequestLine('GET /announce?x'), true);
    assert.equal(isHttp09RequestLine('GET /announce?x\r\nHost: y'), true);
    assert.equal(isHttp09RequestLine('GET /healthz\nHost: y'), true);
    assert.equal(isHttp09RequestLine('GET /announce?x HTTP/1.1\r\nHost: y'), false);
    assert.equal(isHttp09RequestLine(''), false);
    assert.equal(isHttp09RequestLine('GET /a b'), false);
    assert.equal(isHttp09RequestLine(' /a'), false);
  });

  it('tells which request lines are worth waiting for', () => {
    assert.equal(isTrackerRequestLine('GET /announce?x=1 HTTP/1.1'), true);
    assert.equal(isTrackerRequestLine('GET /scrape HTTP/1.0'), true);
    assert.equal(isTrackerRequestLine('GET /scrape? HTTP/1.0'), true);
    assert.equal(isTrackerRequestLine('GET /healthz HTTP/1.1'), false);
    assert.equal(isTrackerRequestLine('GET /announce?x HTTP/1.1 '), false);
  });
});
