import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, execute, parse } from 'graphql';
import { LoopSlices, PACE_MIN_ITEMS } from '../../../server/graphql/loop-slices.js';

/** A clock the items advance: each item's field "costs" `perItem` ms. */
function fakeClock(): { now: number; read: () => number } {
  const c = { now: 0, read: () => c.now };
  return c;
}

function schemaOver(slices: LoopSlices, clock: { now: number }, items: number, perItem: number, failAt = -1): GraphQLSchema {
  const Item = new GraphQLObjectType({
    name: 'Item',
    fields: {
      n: { type: new GraphQLNonNull(GraphQLInt) },
      v: {
        type: GraphQLString,
        resolve: (it: { n: number }) => {
          clock.now += perItem;
          if (it.n === failAt) throw new Error(`item ${it.n} failed`);
          return `v${it.n}`;
        },
      },
    },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        items: {
          type: new GraphQLList(Item),
          resolve: async () => {
            await slices.checkpoint();
            return slices.paced(Array.from({ length: items }, (_, n) => ({ n })));
          },
        },
      },
    }),
  });
}

describe('GraphQL loop slices', () => {
  it('completes a long list over several loop turns, in order, with other work between the slices', async () => {
    const clock = fakeClock();
    const slices = new LoopSlices(3, clock.read);
    const schema = schemaOver(slices, clock, 100, 1);
    slices.begin();
    let otherTurns = 0;
    let done = false;
    const other = (async () => {
      while (!done) {
        await nextTurn();
        otherTurns++;
      }
    })();
    const result = await execute({ schema, document: parse('{ items { n v } }') });
    done = true;
    await other;
    assert.equal(result.errors, undefined);
    const items = (result.data as { items: { n: number; v: string }[] }).items;
    assert.deepEqual(items.map((i) => i.n), Array.from({ length: 100 }, (_, n) => n));
    assert.deepEqual(items.map((i) => i.v), Array.from({ length: 100 }, (_, n) => `v${n}`));
    // 100 ms of item work in 3 ms slices: about 33 turns, each a turn of the loop for other callbacks
    assert.ok(slices.turns >= 30 && slices.turns <= 40, `turns ${slices.turns}`);
    assert.ok(otherTurns >= 30, `other work ran ${otherTurns} times while the list completed`);
    assert.equal(slices.waiting, 0);
  });

  it('runs a list at once while the slice has time, and keeps short lists as they are', async () => {
    const clock = fakeClock();
    const slices = new LoopSlices(3, clock.read);
    slices.begin();
    const short = [1, 2, 3];
    assert.equal(slices.paced(short), short, 'a short list is not wrapped');
    assert.equal(slices.paced(Array(PACE_MIN_ITEMS).fill(0)).length, PACE_MIN_ITEMS);
    const result = await execute({ schema: schemaOver(slices, clock, 50, 0), document: parse('{ items { n } }') });
    assert.equal((result.data as { items: unknown[] }).items.length, 50);
    assert.equal(slices.turns, 0, 'work that fits the slice takes no extra turn');
  });

  it('reports an item that fails at its path and completes the others', async () => {
    const clock = fakeClock();
    const slices = new LoopSlices(3, clock.read);
    slices.begin();
    const result = await execute({ schema: schemaOver(slices, clock, 40, 1, 25), document: parse('{ items { n v } }') });
    assert.equal(result.errors?.length, 1);
    assert.equal(result.errors![0].message, 'item 25 failed');
    assert.deepEqual(result.errors![0].path, ['items', 25, 'v']);
    const items = (result.data as { items: { n: number; v: string | null }[] }).items;
    assert.equal(items.length, 40);
    assert.equal(items[25].v, null);
    assert.equal(items[39].v, 'v39');
  });

  it('makes a checkpoint wait for a later turn once the slice is spent, first come first served', async () => {
    const clock = fakeClock();
    const slices = new LoopSlices(3, clock.read);
    slices.begin();
    assert.equal(slices.checkpoint(), undefined, 'the slice has time');
    clock.now += 3;
    const order: string[] = [];
    const a = slices.checkpoint()!.then(() => order.push('a'));
    const b = slices.checkpoint()!.then(() => order.push('b'));
    assert.ok(a instanceof Promise && slices.waiting === 2);
    await Promise.all([a, b]);
    assert.deepEqual(order, ['a', 'b']);
    assert.equal(slices.turns, 1);
  });
});
