// Writes tracker replies: always HTTP 200, text/plain, a bencoded body (BEP 3). A ClientError's
// text is the failure reason as is; anything else is "internal error" plus one log line.
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ClientError } from '../tracker/errors.js';
import { encodeFailure } from '../tracker/replies.js';

const INTERNAL = encodeFailure('internal error');

/** Sends a bencoded body with status 200. */
export function sendBencoded(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, ['Content-Type', 'text/plain', 'Content-Length', String(body.length), 'Cache-Control', 'no-store']);
  res.end(body);
}

/** Sends a failure for any thrown value; logs only unexpected ones. */
export function sendFailure(res: ServerResponse, err: unknown, log: Logger): void {
  if (err instanceof ClientError) return sendBencoded(res, encodeFailure(err.message));
  log.error({ err }, 'tracker request failed');
  if (!res.headersSent) sendBencoded(res, INTERNAL);
  else res.destroy();
}
