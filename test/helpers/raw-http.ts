// Raw HTTP/1.x over TCP for tests that send what no HTTP client would: bytes in, bytes out.
import net from 'node:net';

/**
 * Writes `bytes` (latin1 string or Buffer) on a fresh connection, half-closes it when `halfClose`,
 * and resolves with every byte the server sent once the server has closed its side. Never resolves
 * on a server that keeps the connection open (the test's timeout is the failsafe).
 */
export function exchangeUntilClosed(port: number, bytes: string | Buffer, halfClose = false): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => {
      s.destroy();
      resolve(Buffer.concat(chunks));
    });
    s.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks)) : reject(err)));
    s.on('connect', () => {
      s.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
      if (halfClose) s.end();
    });
  });
}

/** The status lines of every response in a raw reply stream. */
export const statusLines = (raw: Buffer | string): string[] => (typeof raw === 'string' ? raw : raw.toString('latin1')).match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? [];

/**
 * Sends `first`, and once a reply has begun to arrive, `second` (so the server reads it
 * separately), then half-closes; resolves with everything the server sent, once it has closed.
 */
export function sendAfterReply(port: number, first: string, second: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let data = '';
    let sent = false;
    s.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      if (sent) return;
      sent = true;
      s.end(second, 'latin1');
    });
    s.on('close', () => resolve(data));
    s.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
    s.on('connect', () => s.write(first, 'latin1'));
  });
}
