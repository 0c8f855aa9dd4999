// Writes tracker replies through Node's http: always HTTP 200, text/plain, a bencoded body (BEP 3).
import type { ServerResponse } from 'node:http';

/** Sends a bencoded body with status 200 (or a promised one). */
export function sendBencoded(res: ServerResponse, body: Buffer | Promise<Buffer>): void {
  if (body instanceof Promise) {
    void body.then((b) => sendBencoded(res, b));
    return;
  }
  res.writeHead(200, ['Content-Type', 'text/plain', 'Content-Length', String(body.length), 'Cache-Control', 'no-store']);
  res.end(body);
}
