import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebseedBuffers, type Lease } from '../../../server/http/webseed-buffers.js';

const KIB = 1024;
/** A small pool: chunks of 64 KiB, 8 in all, 4 per address, 1 per connection. */
const limits = { chunkBytes: 64 * KIB, poolBytes: 512 * KIB, addressBytes: 256 * KIB, connectionBytes: 64 * KIB };
const live = new AbortController().signal;

/** Takes a buffer and says whether it came at once (a Lease) or has to wait (a Promise). */
function takeNow(pool: WebseedBuffers, conn: object, address: string, bytes = limits.chunkBytes): Lease {
  const got = pool.take(conn, address, bytes, live);
  assert.ok(!(got instanceof Promise), `expected a buffer at once for ${address}`);
  return got;
}

/** Settles pending promise callbacks (grants resolve asynchronously). */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('webseed buffers', () => {
  it('lends a buffer of the size asked: a small read does not take a whole chunk', () => {
    const pool = new WebseedBuffers(limits);
    const small = takeNow(pool, {}, 'a', 12);
    assert.equal(small.buf.length, 12);
    assert.equal(pool.held, 12);
    const whole = takeNow(pool, {}, 'b', 60 * KIB);
    assert.equal(whole.buf.length, 60 * KIB);
    assert.equal(pool.held, 12 + 64 * KIB, 'most of a chunk is counted as the chunk it uses');
    small.release();
    whole.release();
    whole.release();
    assert.equal(pool.held, 0, 'a second release changes nothing');
  });

  it('refuses a request larger than a chunk', () => {
    assert.throws(() => new WebseedBuffers(limits).take({}, 'a', limits.chunkBytes + 1, live), RangeError);
  });

  it('holds one chunk per connection; the next waits until it is released', async () => {
    const pool = new WebseedBuffers(limits);
    const conn = {};
    const first = takeNow(pool, conn, 'a');
    const next = pool.take(conn, 'a', limits.chunkBytes, live);
    assert.ok(next instanceof Promise);
    assert.equal(pool.waiting, 1);
    const other = await pool.take({}, 'a', limits.chunkBytes, live); // another connection of the address is not held up
    assert.ok(other !== null);
    assert.equal(pool.waiting, 1);
    first.release();
    const lease = await next;
    assert.ok(lease !== null);
    assert.equal(pool.waiting, 0);
  });

  it('caps one address, so clients at other addresses still get buffers at once', async () => {
    const pool = new WebseedBuffers(limits);
    const held = Array.from({ length: 4 }, () => takeNow(pool, {}, 'greedy'));
    const waiting = Array.from({ length: 20 }, () => pool.take({}, 'greedy', limits.chunkBytes, live));
    assert.ok(waiting.every((w) => w instanceof Promise));
    assert.equal(pool.held, limits.addressBytes);
    // with someone waiting, a newcomer queues, but is granted in the same turn: its caps allow it
    const other = pool.take({}, 'other', limits.chunkBytes, live);
    await settle();
    assert.ok((await other) !== null);
    assert.equal(pool.waiting, 20);
    held[0].release();
    await settle();
    assert.equal(pool.waiting, 19, 'a released buffer goes to the same address\'s next waiter');
    assert.ok(pool.held <= limits.poolBytes);
  });

  it('never lends more than the pool, and serves waiting addresses round-robin', async () => {
    const pool = new WebseedBuffers({ ...limits, addressBytes: limits.poolBytes });
    const held = Array.from({ length: 8 }, () => takeNow(pool, {}, 'a'));
    const order: string[] = [];
    const wait = (address: string): void => void (pool.take({}, address, limits.chunkBytes, live) as Promise<Lease | null>).then((l) => {
      order.push(address);
      return l;
    });
    for (let i = 0; i < 5; i++) wait('a');
    wait('b');
    wait('c');
    assert.equal(pool.held, limits.poolBytes);
    for (const l of held.slice(0, 4)) l.release();
    await settle();
    assert.deepEqual(order, ['a', 'b', 'c', 'a'], 'one grant per address per round, in the order they first waited');
    assert.equal(pool.held, limits.poolBytes);
  });

  it('drops a waiter whose response went away: null, and nothing held for it', async () => {
    const pool = new WebseedBuffers(limits);
    const conn = {};
    const first = takeNow(pool, conn, 'a');
    const gone = new AbortController();
    const next = pool.take(conn, 'a', limits.chunkBytes, gone.signal);
    gone.abort();
    assert.equal(await next, null);
    assert.equal(pool.waiting, 0);
    first.release();
    assert.equal(pool.held, 0);
  });
});
