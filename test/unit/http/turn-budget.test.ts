// The webseed's byte budget per event-loop turn: takes within it go on at once, the rest wait for
// later turns in order, and a take larger than the budget still goes (alone, at a turn's start).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TurnBudget, WEBSEED_BYTES_PER_TURN } from '../../../server/http/turn-budget.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnBudget', () => {
  it('lets takes within the budget go on at once and holds the rest for later turns, in order', async () => {
    const b = new TurnBudget(100);
    assert.equal(b.take(60), null);
    assert.equal(b.take(40), null);
    const order: string[] = [];
    const late = [b.take(30), b.take(50), b.take(40)].map((p, i) => {
      assert.ok(p instanceof Promise, `take ${i} over the budget waits`);
      return p.then(() => order.push(`t${i}`));
    });
    assert.equal(b.waiters, 3);
    assert.ok(b.take(1) instanceof Promise, 'a take behind waiters queues even when it would fit');
    await nextTurn();
    await Promise.resolve();
    assert.deepEqual(order, ['t0', 't1'], 'the next turn serves what fits: 30 + 50 of 100');
    await Promise.all(late);
    assert.deepEqual(order, ['t0', 't1', 't2']);
    await nextTurn();
    assert.equal(b.waiters, 0);
  });

  it('starts a new turn with the whole budget, and never blocks a take larger than it for good', async () => {
    const b = new TurnBudget(100);
    assert.equal(b.take(100), null);
    await nextTurn();
    assert.equal(b.take(100), null, 'the budget is renewed on the next turn');
    const big = b.take(250);
    assert.ok(big instanceof Promise);
    await big; // alone at the start of the next turn
    await nextTurn();
    assert.equal(b.take(250), null, 'at the start of a turn a take over the budget goes at once');
  });

  it('defaults to 16 webseed chunks of 256 KiB per turn', () => {
    assert.equal(WEBSEED_BYTES_PER_TURN, 16 * 256 * 1024);
  });
});
