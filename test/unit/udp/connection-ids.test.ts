import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionIds, SLOT_SECONDS } from '../../../server/udp/connection-ids.js';

const SECRET = Buffer.from('a secret of sixteen bytes or more');
const SLOT_MS = SLOT_SECONDS * 1000;

function idFor(ids: ConnectionIds, ip: string, port: number): Buffer {
  const b = Buffer.alloc(8);
  ids.issue(ip, port, b);
  return b;
}

describe('connection ids', () => {
  it('accepts an id in its slot and the next, and refuses it after', () => {
    let now = 1_000 * SLOT_MS + 5;
    const ids = new ConnectionIds(SECRET, () => now);
    const id = idFor(ids, '192.0.2.7', 6881);
    assert.equal(ids.check(id, '192.0.2.7', 6881), true);
    now += SLOT_MS; // the next slot: still good (at least SLOT_SECONDS of life)
    assert.equal(ids.check(id, '192.0.2.7', 6881), true);
    now += SLOT_MS; // two slots on: expired
    assert.equal(ids.check(id, '192.0.2.7', 6881), false);
    now += 254 * SLOT_MS; // the slot byte comes round again: the MAC still differs
    assert.equal(ids.check(id, '192.0.2.7', 6881), false);
  });

  it('binds an id to the address, not the port', () => {
    const ids = new ConnectionIds(SECRET, () => 42 * SLOT_MS);
    const id = idFor(ids, '2001:db8::1', 6881);
    assert.equal(ids.check(id, '2001:db8::1', 6881), true);
    assert.equal(ids.check(id, '2001:db8::2', 6881), false);
    assert.equal(ids.check(id, '2001:db8::1', 6882), true);
  });

  it('is accepted by another instance with the same secret, and refused by one with another', () => {
    const clock = (): number => 7 * SLOT_MS + 1;
    const id = idFor(new ConnectionIds(SECRET, clock), '198.51.100.1', 51413);
    assert.equal(new ConnectionIds(Buffer.from(SECRET), clock).check(id, '198.51.100.1', 51413), true);
    assert.equal(new ConnectionIds(Buffer.from('another secret, sixteen+'), clock).check(id, '198.51.100.1', 51413), false);
  });

  it('refuses a forged id and a secret shorter than 16 bytes', () => {
    const ids = new ConnectionIds(SECRET, () => 3 * SLOT_MS);
    const id = idFor(ids, '203.0.113.5', 1);
    id[7] ^= 1;
    assert.equal(ids.check(id, '203.0.113.5', 1), false);
    assert.equal(ids.check(Buffer.alloc(8), '203.0.113.5', 1), false);
    assert.throws(() => new ConnectionIds(Buffer.from('short')), RangeError);
  });
});
