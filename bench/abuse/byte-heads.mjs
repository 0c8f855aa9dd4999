// Issue 13 item 6 (the cost part): CONNECTIONS connections each send an announce whose head is
// HEAD_BYTES long (padded with one header, under the 16 KiB the fast path reads) one byte per
// write (TCP_NODELAY, each write awaited), then read the answer. A parser that joins what it has
// with every new byte does O(n^2) work: the server's CPU time during the attack is the figure.
import { announceTarget, connect, cpuSeconds, getHead, readAnswerHead, tally } from './raw-http.mjs';
import { ms } from './http-client.mjs';

/** The head: an announce padded with an `X-Pad` header to `headBytes` bytes. */
export function prepare(ctx, { headBytes }) {
  const bare = getHead(announceTarget(ctx.setup.pipeHash, '-BH0001-byteheads000'), ['X-Pad: ']);
  const padded = getHead(announceTarget(ctx.setup.pipeHash, '-BH0001-byteheads000'), [`X-Pad: ${'a'.repeat(headBytes - bare.length)}`]);
  return { head: padded };
}

async function sendByBytes(base, head, endAt, timeoutMs) {
  const s = await connect(base, timeoutMs);
  if (s === null) return { answer: 'could not connect', sent: 0 };
  let failed = '';
  s.on('error', (e) => { failed ||= e.code ?? e.message; });
  const answer = readAnswerHead(s, endAt - performance.now() + timeoutMs);
  let sent = 0;
  for (; sent < head.length && !failed && !s.destroyed && performance.now() < endAt; sent++) {
    await new Promise((r) => s.write(head.subarray(sent, sent + 1), r));
  }
  const r = sent === head.length ? await answer : { answer: failed ? `reset ${failed} while sending` : s.destroyed ? 'closed while sending' : 'cut at the time bound' };
  s.destroy();
  const kind = r.answer !== 'HTTP 200' ? '' : r.body.includes('8:interval') ? ' (announce answered)' : r.body.includes('14:failure reason') ? ' (failure reason)' : '';
  return { answer: r.answer + kind, sent };
}

/** The attack; answer: what the heads got, and the server's CPU time meanwhile. */
export async function run(ctx, { connections, seconds = 20 }, { head }) {
  const pid = Number(process.env.SERVER_PID);
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const endAt = t0 + seconds * 1000;
  const rs = await Promise.all(Array.from({ length: connections }, () => sendByBytes(ctx.base, head, endAt, Math.min(ctx.timeoutMs, 10_000))));
  const elapsed = performance.now() - t0;
  const cpu = cpuSeconds(pid) - cpu0;
  const sent = rs.reduce((s, r) => s + r.sent, 0);
  return {
    answer: `${tally(rs.map((r) => r.answer))}; server CPU ${cpu.toFixed(1)} s`,
    ms: elapsed,
    details: `${connections} heads of ${head.length} B, ${sent} of ${connections * head.length} bytes written one a write in ${ms(elapsed)} (${(sent / (elapsed / 1000) / 1000).toFixed(0)}k writes/s)`,
  };
}
