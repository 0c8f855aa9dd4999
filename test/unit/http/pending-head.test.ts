import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MORE, ODD, PendingHead } from '../../../server/http/pending-head.js';

/** Pushes `text` in pieces of `size` bytes; returns the first verdict that is not MORE (or MORE). */
function feed(text: string, size: number): { verdict: number; head: PendingHead } {
  const head = new PendingHead();
  const bytes = Buffer.from(text, 'latin1');
  for (let o = 0; o < bytes.length; o += size) {
    const v = head.push(bytes.subarray(o, o + size));
    if (v !== MORE) return { verdict: v, head };
  }
  return { verdict: MORE, head };
}

describe('PendingHead', () => {
  const request = 'GET /announce?a=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /scrape';

  it('finds the blank line ending a head however the bytes are split', () => {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const { verdict, head } = feed(request, size);
      assert.equal(verdict, request.indexOf('\r\n\r\n'), `pieces of ${size}`);
      assert.equal(head.line(), 'GET /announce?a=1 HTTP/1.1');
      assert.equal(head.join().toString('latin1', 0, verdict), 'GET /announce?a=1 HTTP/1.1\r\nHost: x');
    }
  });

  it('reports the end of the request line before the head is complete', () => {
    const { verdict, head } = feed('GET /announce?a=1 HTTP/1.1\r\nHo', 1);
    assert.equal(verdict, MORE);
    assert.equal(head.lineEnd, 27);
    assert.equal(head.line(), 'GET /announce?a=1 HTTP/1.1');
  });

  it('reports at once bytes Node refuses anywhere in a head', () => {
    for (const odd of ['GET /a HTTP/1.1\nHost', 'GET /a HTTP/1.1\r\nHost: x\r\n\n', 'GET /a\rX', 'GET /a\0', 'GET /a HTTP/1.1\r\nX: \x1b', 'GET /a\x7f']) {
      assert.equal(feed(odd, 1).verdict, ODD, JSON.stringify(odd));
      assert.equal(feed(odd, 100).verdict, ODD, JSON.stringify(odd));
    }
    const bareLf = feed('GET /announce?x\nHost', 1);
    assert.equal(bareLf.head.line(), 'GET /announce?x');
  });

  it('takes tabs and bytes >= 0x80 (allowed in values)', () => {
    const head = 'GET /a HTTP/1.1\r\nX: \t\xe9\xff\r\n\r\n';
    assert.equal(feed(head, 1).verdict, head.indexOf('\r\n\r\n'));
  });

  it('keeps no chunk after the first: a head sent a byte at a time is held in one buffer of its own, at most twice its size', () => {
    const text = `GET /announce?a=1 HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(16_000)}\r\n\r\n`;
    const src = Buffer.from(text, 'latin1');
    const head = new PendingHead();
    let verdict = MORE;
    for (let o = 0; o < src.length && verdict === MORE; o++) verdict = head.push(src.subarray(o, o + 1));
    assert.equal(verdict, text.indexOf('\r\n\r\n'));
    src.fill(0x41); // the chunks' memory reused, as a reader's buffer may be
    const all = head.join();
    assert.equal(all.toString('latin1'), text, 'the bytes gathered are a copy, not views of the chunks');
    assert.ok(all.buffer.byteLength <= 2 * text.length, `${all.buffer.byteLength} bytes held for a head of ${text.length}`);
  });
});
