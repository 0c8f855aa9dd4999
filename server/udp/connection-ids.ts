// BEP 15 connection ids without per-client state: an id is a keyed hash of the client's address
// and a time slot (not its port, as opentracker: libtorrent shares one cached id among all the
// sessions of a process, and NATs move ports), so any instance holding the same secret checks it with no lookup (as
// aquatic's keyed hash and chihaya's HMAC do). Byte 0 is the slot's low byte, in clear, so a
// check costs one hash; bytes 1-7 are SipHash-2-4 under a key derived per slot from the secret
// with HMAC-SHA256 (once per slot, not per datagram).
import { createHmac } from 'node:crypto';
import { sipHash24 } from './siphash.js';

/** Seconds per slot. An id is accepted in its slot and the next: at least 2 minutes, at most 4 (BEP 15: clients keep one 1 minute). */
export const SLOT_SECONDS = 120;

/** Milliseconds since the epoch (Date.now, or a test's clock). */
export type Clock = () => number;

/** Longest address text (IPv6 with an embedded IPv4 tail is 45 characters) plus the port. */
const SCRATCH_BYTES = 2 + 64;

/** Makes and checks connection ids for one secret. */
export class ConnectionIds {
  private readonly scratch = Buffer.alloc(SCRATCH_BYTES);
  private readonly mac = Buffer.alloc(8);
  private keySlot = -1;
  private key: Buffer = Buffer.alloc(16);
  private prevKey: Buffer = Buffer.alloc(16);

  /** `secret`: shared by every instance behind one address (at least 16 bytes). */
  constructor(private readonly secret: Buffer, private readonly now: Clock = Date.now) {
    if (secret.length < 16) throw new RangeError('the connection id secret must be at least 16 bytes');
  }

  private slotKey(slot: number): Buffer {
    return createHmac('sha256', this.secret).update(`seedhost udp connection id slot ${slot}`).digest().subarray(0, 16);
  }

  /** The key of `slot` if it is the current or previous one, else null; keys are derived once per slot. */
  private keyOf(slot: number, current: number): Buffer | null {
    if (this.keySlot !== current) {
      this.prevKey = this.keySlot === current - 1 ? this.key : this.slotKey(current - 1);
      this.key = this.slotKey(current);
      this.keySlot = current;
    }
    return slot === current ? this.key : slot === current - 1 ? this.prevKey : null;
  }

  private sign(key: Buffer, ip: string, port: number): void {
    const s = this.scratch;
    void port; // kept in the signature: the id proves the address, whatever port asks
    // the address's latin1 bytes, written here rather than by Buffer#write (a native call per datagram)
    const n = ip.length < SCRATCH_BYTES ? ip.length : SCRATCH_BYTES;
    for (let i = 0; i < n; i++) s[i] = ip.charCodeAt(i);
    sipHash24(key, s, n, this.mac, 0);
  }

  private currentSlot(): number {
    return Math.floor(this.now() / (SLOT_SECONDS * 1000));
  }

  /** A new id for ip:port (ip as the socket gave it, normalised) into out[at..at+8). */
  issue(ip: string, port: number, out: Buffer, at = 0): void {
    const slot = this.currentSlot();
    this.sign(this.keyOf(slot, slot) as Buffer, ip, port);
    out[at] = slot & 255;
    const m = this.mac;
    for (let i = 0; i < 7; i++) out[at + 1 + i] = m[i];
  }

  /** True when msg[at..at+8) is an id this secret issued to ip:port in the current or previous slot. */
  check(msg: Buffer, ip: string, port: number, at = 0): boolean {
    const current = this.currentSlot();
    const tag = msg[at];
    const slot = tag === (current & 255) ? current : tag === ((current - 1) & 255) ? current - 1 : -1;
    if (slot < 0) return false;
    this.sign(this.keyOf(slot, current) as Buffer, ip, port);
    const m = this.mac;
    // an early exit is fine: a forger of the source address never sees the reply, so cannot time it
    return m[0] === msg[at + 1] && m[1] === msg[at + 2] && m[2] === msg[at + 3] && m[3] === msg[at + 4] &&
      m[4] === msg[at + 5] && m[5] === msg[at + 6] && m[6] === msg[at + 7];
  }
}
