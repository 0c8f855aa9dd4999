// Reusable announce replies for the socket: one IPv4 and one IPv6 reply buffer whose bytes past
// the header are the AnnounceResult's peer buffers, so a synchronous store writes the peers
// straight into the datagram (no copy, no buffer per reply). A reply is valid until the next one;
// the socket renews the buffers when a send had to be queued (the queue holds the bytes).
import { MAX_NUMWANT } from '../tracker/parse-announce.js';
import { AnnounceResult } from '../tracker/peer-store.js';
import { ANNOUNCE_HEADER_BYTES } from './udp-packets.js';

export class UdpReplies {
  reply4!: Buffer;
  reply6!: Buffer;
  result!: AnnounceResult;

  constructor() {
    this.renew();
  }

  /** Fresh buffers: the old ones stay with whoever holds them (a queued send). */
  renew(): void {
    // the store may fill up to MAX_NUMWANT peers of either family, whichever family asked
    this.reply4 = Buffer.allocUnsafe(ANNOUNCE_HEADER_BYTES + MAX_NUMWANT * 6);
    this.reply6 = Buffer.allocUnsafe(ANNOUNCE_HEADER_BYTES + MAX_NUMWANT * 18);
    this.result = new AnnounceResult(this.reply4.subarray(ANNOUNCE_HEADER_BYTES), this.reply6.subarray(ANNOUNCE_HEADER_BYTES));
  }
}
