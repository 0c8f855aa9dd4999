import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { HandOverQueue, MAX_HANDOVERS_PER_TURN } from '../../../server/http/handover-queue.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const fake = (id: number) => ({ id, destroyed: false, destroy() { this.destroyed = true; } });

describe('hand-over queue', () => {
  it('starts at most MAX_HANDOVERS_PER_TURN connections a turn, in arrival order, none in the turn they were added', async () => {
    const started: number[][] = [[]];
    const q = new HandOverQueue((s) => started[started.length - 1].push((s as unknown as { id: number }).id));
    const n = MAX_HANDOVERS_PER_TURN * 2 + 3;
    for (let i = 0; i < n; i++) q.add(fake(i) as unknown as Socket);
    assert.equal(q.length, n);
    assert.deepEqual(started, [[]], 'nothing runs in the turn that queued them');
    while (q.length > 0) {
      await turn();
      started.push([]);
    }
    const turns = started.filter((t) => t.length > 0);
    assert.deepEqual(turns.map((t) => t.length), [MAX_HANDOVERS_PER_TURN, MAX_HANDOVERS_PER_TURN, 3]);
    assert.deepEqual(turns.flat(), Array.from({ length: n }, (_, i) => i));
  });

  it('skips sockets destroyed while they waited, without spending the budget on them', async () => {
    const started: number[] = [];
    const q = new HandOverQueue((s) => started.push((s as unknown as { id: number }).id), 2);
    const socks = Array.from({ length: 6 }, (_, i) => fake(i));
    for (const s of socks) q.add(s as unknown as Socket);
    socks[0].destroy();
    socks[1].destroy();
    await turn();
    assert.deepEqual(started, [2, 3]);
    await turn();
    assert.deepEqual(started, [2, 3, 4, 5]);
    assert.equal(q.length, 0);
  });

  it('destroys every waiting socket on shutdown and starts none of them', async () => {
    const started: number[] = [];
    const q = new HandOverQueue((s) => started.push((s as unknown as { id: number }).id));
    const socks = Array.from({ length: 3 }, (_, i) => fake(i));
    for (const s of socks) q.add(s as unknown as Socket);
    q.destroyAll();
    await turn();
    assert.deepEqual(started, []);
    assert.ok(socks.every((s) => s.destroyed));
    assert.equal(q.length, 0);
  });
});
