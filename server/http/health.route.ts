// GET /healthz: 200 {"status":"ok"} once the database answers, 503 otherwise.
import type { ServerResponse } from 'node:http';

export type HealthCheck = () => Promise<Record<string, unknown>>;

/** Runs the check and answers JSON; a failing check gives 503 without details. */
export async function serveHealth(res: ServerResponse, check: HealthCheck): Promise<void> {
  let status = 200;
  let body: Record<string, unknown>;
  try {
    body = { status: 'ok', ...(await check()) };
  } catch {
    status = 503;
    body = { status: 'error', error: 'database unreachable' };
  }
  const json = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}
