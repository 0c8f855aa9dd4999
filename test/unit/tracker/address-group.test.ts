import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressGroup } from '../../../server/tracker/address-group.js';

describe('address group', () => {
  it('keeps an IPv4 address as it is', () => {
    assert.equal(addressGroup('203.0.113.7'), '203.0.113.7');
  });

  it('puts every IPv6 address of one /64 under one key, however it is written', () => {
    const keys = ['2001:db8::1', '2001:DB8:0:0:ffff::2', '2001:0db8:0000:0000:1:2:3:4', '2001:db8::', '2001:db8::1%eth0', '2001:db8::ffff:1.2.3.4'].map(addressGroup);
    assert.deepEqual(new Set(keys), new Set(['2001:db8:0:0::/64']));
  });

  it('gives neighbouring /64s different keys', () => {
    assert.notEqual(addressGroup('2001:db8:0:1::1'), addressGroup('2001:db8::1'));
    assert.equal(addressGroup('::1'), '0:0:0:0::/64');
    assert.equal(addressGroup('fe80::1:2:3:4'), 'fe80:0:0:0::/64');
  });
});
