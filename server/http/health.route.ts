// GET /healthz: 200 {"status":"ok"} once the database (and Redis, when used) answers, 503 otherwise.
import type { ServerResponse } from 'node:http';

export type HealthCheck = () => Promise<Record<string, unknown>>;

/** What a failing check reports: a short, safe name of the service that did not answer. */
export class Unreachable extends Error {}

/** Runs the check and answers JSON; a failing check gives 503 naming only the unreachable service. */
export async function serveHealth(res: ServerResponse, check: HealthCheck): Promise<void> {
  let status = 200;
  let body: Record<string, unknown>;
  try {
    body = { status: 'ok', ...(await check()) };
  } catch (e) {
    status = 503;
    body = { status: 'error', error: `${e instanceof Unreachable ? e.message : 'database'} unreachable` };
  }
  const json = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}
