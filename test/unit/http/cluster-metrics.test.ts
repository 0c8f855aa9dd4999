import assert from 'node:assert/strict';
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setupClusterMetrics } from '../../../server/http/cluster-metrics.js';

const value = (text: string, sample: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
};

/** The worker's next test reply (its channel also carries the metrics protocol's messages). */
function replyOf(w: Worker): Promise<{ text?: string; error?: string }> {
  return new Promise((resolve) => {
    const on = (m: { type?: string; text?: string; error?: string } | string): void => {
      if (typeof m !== 'object' || m.type !== undefined) return;
      w.off('message', on);
      resolve(m);
    };
    w.on('message', on);
  });
}

describe('cluster metrics', () => {
  const workers: Worker[] = [];
  after(async () => {
    await Promise.all(workers.map(async (w) => {
      if (w.isDead()) return;
      const exited = once(w, 'exit');
      w.kill();
      await exited;
    }));
  });

  it("a worker's /metrics answer covers every worker: counters summed, shared gauges not", async () => {
    const agg = setupClusterMetrics();
    cluster.setupPrimary({ exec: path.join(path.dirname(fileURLToPath(import.meta.url)), 'cluster-metrics.worker.js') });
    for (const n of [2, 5]) workers.push(cluster.fork({ WORKER_ANNOUNCES: String(n) }));
    // each worker sends the metrics protocol's ready message, then its own 'ready'
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      const on = (m: unknown): void => {
        if (m !== 'ready') return;
        w.off('message', on);
        resolve();
      };
      w.on('message', on);
    })));

    const answer = replyOf(workers[0]);
    workers[0].send('collect');
    const reply = await answer;
    assert.equal(reply.error, undefined);
    const text = reply.text as string;
    assert.equal(value(text, 'seedhost_announces_total{result="ok"}'), 7);
    assert.equal(value(text, 'seedhost_announce_duration_seconds_count'), 7);
    assert.equal(value(text, 'seedhost_torrents_registered'), 3);
    assert.equal(value(text, 'seedhost_graphql_ws_clients'), 2);
    assert.ok((value(text, 'seedhost_process_cpu_user_seconds_total') as number) > 0);
    // the primary's own view is the same aggregate
    assert.equal(value(await agg.clusterMetrics(), 'seedhost_announces_total{result="ok"}'), 7);
  });
});
