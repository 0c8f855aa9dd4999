// TCP connections counted per client address (IPv4 address, IPv6 /64) from accept to close. An
// address at MAX_CONNECTIONS_PER_ADDRESS has each further connection refused as it is accepted,
// before a byte of it is read: no parser, no handler, no WebSocket handshake, so 2,000 sockets
// opened at once from one address cost the loop little more than the accepts. Connections from
// TRUSTED_PROXIES are not counted (every client behind a proxy shares its address). The caller
// releases a counted connection when it closes (the fast path's own close listener: no listener
// more per connection).
import type { BlockList, Socket } from 'node:net';
import { addressGroup } from '../tracker/address-group.js';
import { isTrusted, normalizeIp } from './client-ip.js';

/** Default of the MAX_CONNECTIONS_PER_ADDRESS setting. */
export const MAX_CONNECTIONS_PER_ADDRESS = 256;

/**
 * What a refused connection is sent before it is closed: a complete HTTP answer, so a client sees
 * why (the request is never read; it needs none to be answered).
 */
const REFUSAL_TEXT = 'too many connections from one address\n';
export const REFUSAL = Buffer.from('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n'
  + `Retry-After: 10\r\nContent-Length: ${REFUSAL_TEXT.length}\r\n\r\n${REFUSAL_TEXT}`, 'latin1');
/** A refused connection that has not closed its side this long after the answer is cut. */
const REFUSED_LINGER_MS = 5_000;
/** Refused connections that wait for the client's close at once; past this, refused ones are cut at once (a reset). */
const MAX_LINGERING = 1024;

export class ConnectionLimit {
  /** Connections refused since start. */
  refused = 0;
  /** Refused connections still waiting for the client to close. */
  private lingering = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly trusted: BlockList | undefined,
  ) {}

  /** Connections counted now for `ip`'s address group. */
  of(ip: string): number {
    return this.perAddress.get(addressGroup(normalizeIp(ip))) ?? 0;
  }

  /**
   * Counts `socket` and returns the key to `release` when it closes (null: a trusted proxy's, not
   * counted); or answers it 503, closes it and returns false.
   */
  admit(socket: Socket): string | null | false {
    const key = this.admitAddress(socket.remoteAddress ?? '');
    if (key === false) this.refuse(socket);
    return key;
  }

  /**
   * Counts a connection from `address` and returns the key to `release` when it closes (null: a
   * trusted proxy's, not counted), or false (counted as refused): the caller answers REFUSAL and
   * closes it, or hands the socket to `refuse`.
   */
  admitAddress(address: string): string | null | false {
    const ip = normalizeIp(address);
    if (this.trusted !== undefined && isTrusted(ip, this.trusted)) return null;
    const key = addressGroup(ip);
    const n = this.perAddress.get(key) ?? 0;
    if (n >= this.max) {
      this.refused++;
      return false;
    }
    this.perAddress.set(key, n + 1);
    return key;
  }

  /** Answers a refused connection's socket (REFUSAL), then waits for the client's close, or cuts it when too many wait. */
  refuse(socket: Socket, answer: Buffer = REFUSAL): void {
    if (this.lingering >= MAX_LINGERING) {
      socket.destroy();
      return;
    }
    this.lingering++;
    socket.once('close', () => this.lingering--);
    endAndDrain(socket, answer, REFUSED_LINGER_MS);
  }

  /** One connection admitted under `key` has closed. */
  release(key: string): void {
    const left = (this.perAddress.get(key) ?? 1) - 1;
    if (left <= 0) this.perAddress.delete(key);
    else this.perAddress.set(key, left);
  }
}

/**
 * Writes `answer` and our FIN, then drops whatever the client still sends until it closes (a FIN,
 * not a reset, so the answer is read), or cuts the connection after `lingerMs`.
 */
export function endAndDrain(socket: Socket, answer: Buffer, lingerMs: number): void {
  socket.on('error', () => socket.destroy());
  socket.on('end', () => socket.destroy());
  socket.setTimeout(lingerMs, () => socket.destroy());
  socket.end(answer);
  socket.resume();
}
