import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { parseCidrList } from '../../../server/config.js';
import { announceIp, normalizeIp, resolveClientIp } from '../../../server/http/client-ip.js';

const req = (remote: string, xff?: string): IncomingMessage =>
  ({ socket: { remoteAddress: remote }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

describe('client IP', () => {
  const trusted = parseCidrList('10.0.0.0/8,fd00::/8');

  it('uses the socket address and unwraps IPv4-mapped IPv6', () => {
    assert.equal(resolveClientIp(req('::ffff:192.0.2.1'), undefined), '192.0.2.1');
    assert.equal(normalizeIp('2001:db8::1'), '2001:db8::1');
  });

  it('ignores X-Forwarded-For unless the connection comes from a trusted proxy', () => {
    assert.equal(resolveClientIp(req('192.0.2.1', '198.51.100.7'), trusted), '192.0.2.1');
    assert.equal(resolveClientIp(req('192.0.2.1', '198.51.100.7'), undefined), '192.0.2.1');
  });

  it('takes the nearest untrusted hop from a trusted proxy', () => {
    assert.equal(resolveClientIp(req('10.0.0.1', '198.51.100.7'), trusted), '198.51.100.7');
    assert.equal(resolveClientIp(req('10.0.0.1', '203.0.113.5, 198.51.100.7, 10.0.0.9'), trusted), '198.51.100.7');
    assert.equal(resolveClientIp(req('::ffff:10.0.0.1', '2001:db8::7'), trusted), '2001:db8::7');
  });

  it('falls back to the socket address on a garbled header', () => {
    assert.equal(resolveClientIp(req('10.0.0.1', 'not-an-ip'), trusted), '10.0.0.1');
  });

  it('honours the ip parameter only for trusted clients and valid addresses', () => {
    assert.equal(announceIp('192.0.2.1', '203.0.113.1', trusted), '192.0.2.1');
    assert.equal(announceIp('10.0.0.5', '203.0.113.1', trusted), '203.0.113.1');
    assert.equal(announceIp('10.0.0.5', 'example.com', trusted), '10.0.0.5');
    assert.equal(announceIp('10.0.0.5', null, trusted), '10.0.0.5');
  });
});
