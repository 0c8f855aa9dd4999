// scrypt on the hashing threads (kdf-pool.ts): the same keys as Node's own scrypt (RFC 7914's test
// vector among them), more jobs than threads, refusals as crypto's, and the threads at nice 10.
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { scryptOnWorker } from '../../../server/services/kdf-pool.js';

const MiB = 1024 * 1024;

describe('scrypt on worker threads', () => {
  it("gives RFC 7914's test vector", async () => {
    const key = await scryptOnWorker('password', Buffer.from('NaCl'), 64, { N: 1024, r: 8, p: 16, maxmem: 32 * MiB });
    assert.equal(key.toString('hex'), 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640');
  });

  it('answers more jobs than it has threads, each with its own key', async () => {
    const params = { N: 1 << 12, r: 8, p: 1, maxmem: 32 * MiB };
    const jobs = Array.from({ length: 12 }, (_, i) => ({ password: `pw-${i}`, salt: Buffer.from(`salt-${i}`) }));
    const keys = await Promise.all(jobs.map((j) => scryptOnWorker(j.password, j.salt, 32, params)));
    keys.forEach((k, i) => assert.deepEqual(k, scryptSync(jobs[i].password, jobs[i].salt, 32, params), `job ${i}`));
  });

  it('refuses what crypto refuses (N not a power of two, memory over maxmem)', async () => {
    await assert.rejects(scryptOnWorker('pw', Buffer.from('s'), 32, { N: 1000, r: 8, p: 1, maxmem: 32 * MiB }), /N|Invalid scrypt/i);
    await assert.rejects(scryptOnWorker('pw', Buffer.from('s'), 32, { N: 1 << 15, r: 8, p: 1, maxmem: 1 * MiB }), /memory|maxmem|Invalid scrypt/i);
    // the pool still works after refusals
    assert.equal((await scryptOnWorker('pw', Buffer.from('s'), 8, { N: 16, r: 1, p: 1, maxmem: MiB })).length, 8);
  });

  it('runs the hashes at nice 10 and leaves the main thread at its priority', async () => {
    await scryptOnWorker('pw', Buffer.from('s'), 8, { N: 16, r: 1, p: 1, maxmem: MiB });
    const nice = (task: string): number => {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const values = readdirSync('/proc/self/task').map(nice);
    assert.equal(nice(String(process.pid)), 0, 'main thread');
    assert.ok(values.includes(10), `nice values of the threads: ${values.join(' ')}`);
  });
});
