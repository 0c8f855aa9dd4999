// The BEP 15 tracker's sockets: one dual-stack UDP socket (IPv6 and IPv4-mapped senders) when no
// host is given, else one socket of the host's family. Each datagram goes to answerDatagram and
// its reply, if any, back to the sender: in batches through the native addon where it is built
// (udp-batch-socket.ts), else through Node's dgram.
import cluster from 'node:cluster';
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { answerDatagram, type UdpDeps } from './udp-answers.js';
import { batchAddon, bindBatchSocket, type BatchSocket } from './udp-batch-socket.js';
import { UdpReplies } from './udp-replies.js';

export interface UdpTracker {
  /** The bound port (the configured one, or the kernel's pick for 0). */
  port: number;
  /** How datagrams are read and sent: 'batch' (recvmmsg/sendmmsg) or 'dgram'. */
  io: 'batch' | 'dgram';
  close(): Promise<void>;
}

/** A dual-stack socket names IPv4 senders `::ffff:a.b.c.d`: they are IPv4 peers (6-byte peers, IPv4 swarm lists). */
function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** Receive and send buffers asked of the kernel: a burst of announces waits here rather than being dropped. */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * dgram resolves every send's address with dns.lookup, which answers an IP literal on the next
 * tick: one queued callback per datagram. A reply always goes to the sender's IP literal, so the
 * lookup answers at once (bench:udp's profile: the send path's largest JS cost after the syscall).
 */
function lookupLiteral(address: string, family: unknown, callback: (err: null, address: string, family: number) => void): void {
  callback(null, address, isIP(address));
}

function bind(type: 'udp4' | 'udp6', port: number, host: string): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type, ipv6Only: false, reuseAddr: false, lookup: lookupLiteral as never });
    s.once('error', reject);
    s.bind(port, host, () => {
      s.removeListener('error', reject);
      resolve(s);
    });
  });
}

function startBatchTracker(port: number, host: string | undefined, deps: UdpDeps): UdpTracker | null {
  const native = batchAddon();
  if (native === null || (host !== undefined && isIP(host) === 0)) return null;
  // the replies of a synchronous store are copied into the batch's reply buffer at once, so the
  // store may reuse one result; an asynchronous one reads its datagram after the batch is gone
  const sync = deps.tracker.store.sync;
  const answering: UdpDeps = sync ? { ...deps, replies: new UdpReplies() } : deps;
  const answer = (msg: Buffer, ip: string, rport: number): Buffer | Promise<Buffer> | null => answerDatagram(msg, ip, rport, answering);
  // the workers of WORKERS > 1 each bind the port; any of them can answer any sender (connection
  // ids are a keyed hash, the swarms are in Redis)
  const options = { bufferBytes: SOCKET_BUFFER_BYTES, copyInput: !sync, reusePort: cluster.isWorker };
  let socket: BatchSocket;
  if (host === undefined) {
    try {
      socket = bindBatchSocket(native, '::', port, answer, options);
    } catch (e) {
      if ((e as { code?: string }).code === 'EADDRINUSE') throw e;
      socket = bindBatchSocket(native, '0.0.0.0', port, answer, options); // no IPv6 on this machine
    }
  } else {
    socket = bindBatchSocket(native, host, port, answer, options);
  }
  deps.udp.droppedReplies = () => socket.dropped();
  return { port: socket.port, io: 'batch', close: () => socket.close() };
}

/**
 * Binds the UDP tracker on port (0: any) and host (undefined: every interface, IPv6 and IPv4);
 * `batch`: through the native addon when it is built here.
 */
export async function startUdpTracker(port: number, host: string | undefined, deps: UdpDeps, batch = true): Promise<UdpTracker> {
  const batched = batch ? startBatchTracker(port, host, deps) : null;
  if (batched !== null) return batched;
  let socket: dgram.Socket;
  if (host === undefined) {
    socket = await bind('udp6', port, '::').catch(() => bind('udp4', port, '0.0.0.0')); // no IPv6 on this machine
  } else {
    socket = await bind(isIP(host) === 6 ? 'udp6' : 'udp4', port, host);
  }
  try {
    socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
    socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
  } catch {
    // the kernel's limit (net.core.rmem_max) stands
  }
  const send = (reply: Buffer, rport: number, raddr: string): void => {
    socket.send(reply, rport, raddr);
  };
  const replies = new UdpReplies();
  const answering: UdpDeps = { ...deps, replies };
  socket.on('message', (msg, rinfo) => {
    const ip = normalizeIp(rinfo.address);
    const reply = answerDatagram(msg, ip, rinfo.port, answering);
    if (reply === null) return;
    if (reply instanceof Promise) void reply.then((b) => send(b, rinfo.port, rinfo.address));
    else {
      send(reply, rinfo.port, rinfo.address);
      // a send the kernel did not take at once waits in libuv's queue with these bytes: they are its now
      if (socket.getSendQueueCount() > 0) replies.renew();
    }
  });
  // a send to an unreachable peer reports here; nothing to do but not crash
  socket.on('error', (err) => deps.log.warn({ err }, 'udp tracker socket error'));
  return {
    port: socket.address().port,
    io: 'dgram',
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
