// The UDP tracker's socket on Linux: datagrams read and answered in batches through the native
// addon in native/udp_batch.c (recvmmsg, one call into JavaScript per batch, sendmmsg). Node's
// dgram costs, per datagram, a 64 KiB allocation, an ArrayBuffer, an rinfo object and a send
// request; here a batch shares fixed buffers. Where the addon is not built (not Linux, no compiler
// at install) the tracker uses dgram (udp-tracker.ts).
import { isIP } from 'node:net';
import { ipv4Text, ipv6Text } from '../native/address-text.js';
import { loadAddon, type Loaded } from '../native/load-addon.js';

/** An answer to one datagram: a reply now, one later (an asynchronous store), or silence. */
export type Answer = (msg: Buffer, ip: string, port: number) => Buffer | Promise<Buffer> | null;

interface Native {
  BATCH: number;
  SLOT: number;
  REPLY_SLOT: number;
  META: number;
  open(v6: boolean, address: string, port: number, dualStack: boolean, bufferBytes: number, reusePort: boolean): [unknown, number];
  start(handle: unknown, input: Buffer, meta: Buffer, out: Buffer, lens: Uint32Array, onBatch: (n: number) => void): void;
  sendTo(handle: unknown, reply: Buffer, meta: Buffer, at: number): boolean;
  dropped(handle: unknown): number;
  close(handle: unknown): void;
}

let loaded: Loaded<Native> | undefined;

/** The addon, or null when it is not built here (batchAddonError says why). */
export function batchAddon(): Native | null {
  loaded ??= loadAddon<Native>('server/udp/native/build/Release/udp_batch.node');
  return loaded.addon;
}

/** Why batchAddon() is null (undefined when it loaded or was not tried). */
export function batchAddonError(): string | undefined {
  return loaded?.error;
}

export interface BatchSocket {
  port: number;
  /** Replies the kernel did not take (a full send buffer). */
  dropped(): number;
  close(): Promise<void>;
}

function bindError(e: unknown, host: string, port: number): Error {
  const code = (e as { code?: string }).code ?? 'EUDPBATCH';
  const err = new Error(`bind ${code} ${host}:${port}`) as Error & { code: string };
  err.code = code;
  return err;
}

export interface BatchOptions {
  /** Kernel buffer sizes asked for (capped by net.core.rmem_max / wmem_max). */
  bufferBytes: number;
  /**
   * Datagrams are handed over as copies (an answer that finishes later reads its datagram then);
   * otherwise as views into the batch buffer, valid during the call.
   */
  copyInput: boolean;
  /**
   * SO_REUSEPORT: the processes of one cluster each bind their own socket on the port and the
   * kernel spreads senders over them (dgram shares the primary's one socket instead).
   */
  reusePort: boolean;
}

/** Binds a batch socket on host:port (an IP literal; '::' also takes IPv4 senders) and answers every datagram with `answer`. */
export function bindBatchSocket(native: Native, host: string, port: number, answer: Answer, o: BatchOptions): BatchSocket {
  const v6 = isIP(host) === 6;
  const copyInput = o.copyInput;
  let opened: [unknown, number];
  try {
    opened = native.open(v6, host, port, true, o.bufferBytes, o.reusePort);
  } catch (e) {
    throw bindError(e, host, port);
  }
  const [handle, bound] = opened;
  const { BATCH, SLOT, REPLY_SLOT, META } = native;
  const input = Buffer.allocUnsafeSlow(BATCH * SLOT);
  const meta = Buffer.allocUnsafeSlow(BATCH * META);
  const out = Buffer.allocUnsafeSlow(BATCH * REPLY_SLOT);
  const lens = new Uint32Array(BATCH);
  const later = (reply: Buffer, to: Buffer): void => {
    native.sendTo(handle, reply, to, 0);
  };
  const onBatch = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const m = i * META;
      const len = meta.readUInt32LE(m);
      const rport = meta[m + 4] | (meta[m + 5] << 8);
      const ip = meta[m + 6] === 4 ? ipv4Text(meta.readUInt32BE(m + 8)) : ipv6Text(meta, m + 8);
      const view = input.subarray(i * SLOT, i * SLOT + len);
      const reply = answer(copyInput ? Buffer.from(view) : view, ip, rport);
      if (reply === null) continue;
      if (reply instanceof Promise) {
        const to = Buffer.from(meta.subarray(m, m + META));
        void reply.then((b) => later(b, to));
      } else if (reply.length <= REPLY_SLOT) {
        reply.copy(out, i * REPLY_SLOT);
        lens[i] = reply.length;
      } else {
        native.sendTo(handle, reply, meta, m);
      }
    }
  };
  native.start(handle, input, meta, out, lens, onBatch);
  let closed: Promise<void> | undefined;
  return {
    port: bound,
    dropped: () => native.dropped(handle),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        native.close(handle);
        // the poll handle is freed on the next loop turn
        setImmediate(resolve);
      });
      return closed;
    },
  };
}
