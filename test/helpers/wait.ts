// Small waits for e2e tests: a free port, and polling until something holds.
import { createServer } from 'node:net';

/** A loopback port that was free a moment ago (for a server whose URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/**
 * Polls `check` every `stepMs` until it returns true (a throw counts as false) or `ms` pass;
 * resolves with its last answer, for the caller to assert on.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, ms = 5000, stepMs = 50): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await Promise.resolve().then(check).catch(() => false);
    if (ok || Date.now() > end) return ok;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
