// A BEP 15 client for tests: builds connect, announce and scrape datagrams and reads the replies.
import dgram from 'node:dgram';

export const PROTOCOL_ID = Buffer.from('0000041727101980', 'hex');

/** A connect request with transaction id `tx`. */
export function connectPacket(tx = 0x1234): Buffer {
  const b = Buffer.alloc(16);
  PROTOCOL_ID.copy(b, 0);
  b.writeUInt32BE(0, 8);
  b.writeUInt32BE(tx, 12);
  return b;
}

export interface UdpAnnounceFields {
  infoHash: string;
  peerId: string | Buffer;
  port: number;
  left?: bigint;
  downloaded?: bigint;
  uploaded?: bigint;
  /** 0 none, 1 completed, 2 started, 3 stopped. */
  event?: number;
  key?: number;
  numWant?: number;
  tx?: number;
  /** BEP 41 options appended after byte 98, as raw bytes. */
  options?: Buffer;
}

/** An announce request under connection id `cid`. */
export function announcePacket(cid: Buffer, f: UdpAnnounceFields): Buffer {
  const b = Buffer.alloc(98);
  cid.copy(b, 0);
  b.writeUInt32BE(1, 8);
  b.writeUInt32BE(f.tx ?? 0x5678, 12);
  Buffer.from(f.infoHash, 'hex').copy(b, 16);
  const id = Buffer.isBuffer(f.peerId) ? f.peerId : Buffer.from(f.peerId.padEnd(20, '-').slice(0, 20), 'latin1');
  id.copy(b, 36);
  b.writeBigUInt64BE(f.downloaded ?? 0n, 56);
  b.writeBigUInt64BE(f.left ?? 0n, 64);
  b.writeBigUInt64BE(f.uploaded ?? 0n, 72);
  b.writeUInt32BE(f.event ?? 0, 80);
  b.writeUInt32BE(0, 84);
  b.writeUInt32BE(f.key ?? 0, 88);
  b.writeInt32BE(f.numWant ?? -1, 92);
  b.writeUInt16BE(f.port, 96);
  return f.options === undefined ? b : Buffer.concat([b, f.options]);
}

/** A scrape request for `hashes` (hex) under connection id `cid`. */
export function scrapePacket(cid: Buffer, hashes: string[], tx = 0x9abc): Buffer {
  const b = Buffer.alloc(16 + hashes.length * 20);
  cid.copy(b, 0);
  b.writeUInt32BE(2, 8);
  b.writeUInt32BE(tx, 12);
  hashes.forEach((h, i) => Buffer.from(h, 'hex').copy(b, 16 + i * 20));
  return b;
}

export interface AnnounceReply {
  interval: number;
  leechers: number;
  seeders: number;
  /** ip:port strings; IPv6 in uncompressed lowercase groups. */
  peers: string[];
}

/** Reads an announce reply (6- or 18-byte peers). */
export function readAnnounce(r: Buffer, v6 = false): AnnounceReply {
  if (r.readUInt32BE(0) !== 1) throw new Error(`not an announce reply: ${readError(r) ?? r.toString('hex')}`);
  const w = v6 ? 18 : 6;
  const peers: string[] = [];
  for (let o = 20; o + w <= r.length; o += w) {
    const ip = v6 ? Array.from({ length: 8 }, (_, i) => r.readUInt16BE(o + i * 2).toString(16)).join(':') : [...r.subarray(o, o + 4)].join('.');
    peers.push(`${ip}:${r.readUInt16BE(o + w - 2)}`);
  }
  return { interval: r.readUInt32BE(8), leechers: r.readUInt32BE(12), seeders: r.readUInt32BE(16), peers };
}

/** Reads a scrape reply: [seeders, completed, leechers] per hash. */
export function readScrape(r: Buffer): number[][] {
  if (r.readUInt32BE(0) !== 2) throw new Error(`not a scrape reply: ${readError(r) ?? r.toString('hex')}`);
  const out: number[][] = [];
  for (let o = 8; o + 12 <= r.length; o += 12) out.push([r.readUInt32BE(o), r.readUInt32BE(o + 4), r.readUInt32BE(o + 8)]);
  return out;
}

/** The message of an error reply, or undefined for another action. */
export function readError(r: Buffer): string | undefined {
  return r.length >= 8 && r.readUInt32BE(0) === 3 ? r.toString('utf8', 8) : undefined;
}

/** One client socket: send a datagram, wait for the next reply (or null after `timeoutMs`). */
export class UdpClient {
  private readonly socket: dgram.Socket;
  private readonly queue: Buffer[] = [];
  private waiter: ((b: Buffer) => void) | undefined;

  constructor(private readonly host: string, private readonly port: number) {
    this.socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    this.socket.on('message', (m) => {
      if (this.waiter !== undefined) {
        const w = this.waiter;
        this.waiter = undefined;
        w(m);
      } else this.queue.push(m);
    });
  }

  /** Sends `msg` (to `port`, default the client's) and resolves with the reply, or null when none came within timeoutMs. */
  async request(msg: Buffer, timeoutMs = 2000, port = this.port): Promise<Buffer | null> {
    this.socket.send(msg, port, this.host);
    return this.next(timeoutMs);
  }

  /** The next datagram received, or null when none came within timeoutMs. */
  private async next(timeoutMs: number): Promise<Buffer | null> {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(null);
      }, timeoutMs);
      this.waiter = (b) => {
        clearTimeout(timer);
        resolve(b);
      };
    });
  }

  /** Sends every datagram at once and resolves with the replies that came within timeoutMs (all of them once `expect` came). */
  async burst(msgs: Buffer[], expect: number, timeoutMs = 3000): Promise<Buffer[]> {
    this.queue.length = 0; // replies to earlier requests are not this burst's
    const got: Buffer[] = [];
    for (const m of msgs) this.socket.send(m, this.port, this.host);
    const deadline = Date.now() + timeoutMs;
    while (got.length < expect && Date.now() < deadline) {
      const r = await this.next(deadline - Date.now());
      if (r !== null) got.push(r);
    }
    return got;
  }

  /** Connects and returns the connection id. */
  async connect(): Promise<Buffer> {
    const r = await this.request(connectPacket(0x4242));
    if (r === null || r.length !== 16 || r.readUInt32BE(0) !== 0 || r.readUInt32BE(4) !== 0x4242) throw new Error('no connect reply');
    return r.subarray(8, 16);
  }

  close(): void {
    this.socket.close();
  }
}
