import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Admission, MAX_PER_ADDRESS, MAX_RUNNING, MAX_WAITING } from '../../../server/graphql/admission.js';

describe('GraphQL admission', () => {
  it('starts one operation per loop turn, so sockets are polled between operations', async () => {
    const a = new Admission();
    const order: string[] = [];
    const ops = ['10.0.0.1', '10.0.0.2', '10.0.0.3'].map(async (ip, i) => {
      const turn = await a.enter(ip)!;
      order.push(`op${i}`);
      turn.done();
    });
    // what another socket's callback would do meanwhile: one step per loop turn
    const other = (async () => {
      for (let i = 0; i < 3; i++) {
        await nextTurn();
        order.push(`io${i}`);
      }
    })();
    await Promise.all([...ops, other]);
    assert.deepEqual(order.filter((x) => x.startsWith('op')), ['op0', 'op1', 'op2'], 'in arrival order');
    const first = order.indexOf('op0'), last = order.indexOf('op2');
    assert.ok(order.slice(first, last).some((x) => x.startsWith('io')), `other work ran between operations: ${order.join(' ')}`);
  });

  it('runs at most MAX_RUNNING operations at once and starts the next when one is done', async () => {
    const a = new Admission();
    const turns = await Promise.all(Array.from({ length: MAX_RUNNING }, (_, i) => a.enter(`10.1.0.${i}`)!));
    let started = false;
    const waiting = a.enter('10.1.1.1')!.then((t) => { started = true; return t; });
    for (let i = 0; i < 5; i++) await nextTurn();
    assert.equal(started, false, 'waits while every place is taken');
    turns[0].done();
    turns[0].done(); // a second done is ignored
    (await waiting).done();
    assert.equal(started, true);
    for (const t of turns.slice(1)) t.done();
    assert.equal(a.size, 0);
  });

  it('refuses an address over MAX_PER_ADDRESS (an IPv6 /64 counting as one) while others still get a turn', async () => {
    const a = new Admission();
    const mine = Array.from({ length: MAX_PER_ADDRESS }, (_, i) => a.enter(`2001:db8::${i + 1}`));
    assert.ok(mine.every((p) => p !== null));
    assert.equal(a.enter('2001:db8::ffff'), null, 'the same /64 is refused');
    const other = a.enter('2001:db8:0:1::1');
    assert.notEqual(other, null, 'another /64 is not');
    for (const p of [...mine, other]) (await p!).done();
    assert.notEqual(a.enter('2001:db8::ffff'), null, 'room again once answered');
  });

  it('refuses once MAX_WAITING operations wait in all', async () => {
    const a = new Admission();
    const taken: Promise<unknown>[] = [];
    let refused = 0;
    for (let i = 0; i < MAX_WAITING + MAX_RUNNING + 10; i++) {
      const p = a.enter(`10.${i >> 8}.${i & 255}.1`);
      if (p === null) refused++;
      else taken.push(p.then((t) => t.done()));
    }
    assert.equal(refused, MAX_RUNNING + 10, 'all past MAX_WAITING waiting are refused (none has started yet)');
    await Promise.all(taken);
    assert.equal(a.size, 0);
  });
});
