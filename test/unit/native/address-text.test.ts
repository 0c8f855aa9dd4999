// The batch socket names senders as Node's dgram does (libuv's inet_ntop): the tracker core keys
// peers and connection ids by that text, so both sockets must give the same one.
import assert from 'node:assert/strict';
import { SocketAddress } from 'node:net';
import { describe, it } from 'node:test';
import { ipv4Text, ipv6Text } from '../../../server/native/address-text.js';

/** Node's own text for the 16 bytes (SocketAddress prints through libuv). */
function nodeText(b: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(2 * i).toString(16));
  return new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}

describe('sender address text', () => {
  it('writes IPv4 addresses dotted, the same text again from its cache', () => {
    assert.equal(ipv4Text(0x7f000001), '127.0.0.1');
    assert.equal(ipv4Text(0xffffffff), '255.255.255.255');
    assert.equal(ipv4Text(0), '0.0.0.0');
    assert.equal(ipv4Text(0x0a000102), '10.0.1.2');
    assert.equal(ipv4Text(0x7f000001), '127.0.0.1');
  });

  it('writes IPv6 addresses as libuv does, zero runs and dotted tails included', () => {
    const cases: Array<[string, string]> = [
      ['00000000000000000000000000000000', '::'],
      ['00000000000000000000000000000001', '::1'],
      ['00000000000000000000000000000002', '::2'],
      ['20010db8000000000000000000000001', '2001:db8::1'],
      ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
      ['00000000000000000000000001020304', '::1.2.3.4'],
      ['00010000000000020000000000000003', '1:0:0:2::3'],
      ['fe800000000000000001000000000000', 'fe80::1:0:0:0'],
      ['20010db8000100000001000100010001', '2001:db8:1:0:1:1:1:1'],
    ];
    for (const [hex, text] of cases) {
      const b = Buffer.from(hex, 'hex');
      assert.equal(ipv6Text(b, 0), text, hex);
      assert.equal(nodeText(b), text, `Node agrees on ${hex}`);
    }
  });

  it('agrees with Node on random addresses with zero groups', () => {
    const b = Buffer.alloc(20);
    for (let n = 0; n < 5000; n++) {
      for (let i = 0; i < 8; i++) b.writeUInt16BE(Math.random() < 0.5 ? 0 : (Math.random() < 0.2 ? 0xffff : (Math.random() * 65536) | 0), 2 + 2 * i);
      assert.equal(ipv6Text(b, 2), nodeText(b.subarray(2, 18)), b.subarray(2, 18).toString('hex'));
    }
  });
});
