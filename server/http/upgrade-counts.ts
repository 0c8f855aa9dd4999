// WebSocket connections counted per client address (IPv4 address, IPv6 /64) and in all, from the
// upgrade request to the TCP close (handshakes in progress count too). Shared by the GraphQL
// WebSocket server and the WebSocket tracker, each with its own counts and limits.
import type { Duplex } from 'node:stream';
import { addressGroup } from '../tracker/address-group.js';

export class UpgradeCounts {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  /** Connections counted now. */
  get size(): number {
    return this.total;
  }

  /** Connections counted for `ip`'s address group. */
  of(ip: string): number {
    return this.perAddress.get(addressGroup(ip)) ?? 0;
  }

  /** Counts `socket` for `ip` until it closes. */
  hold(ip: string, socket: Duplex): void {
    const key = addressGroup(ip);
    this.perAddress.set(key, (this.perAddress.get(key) ?? 0) + 1);
    this.total++;
    socket.once('close', () => {
      this.total--;
      const left = (this.perAddress.get(key) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(key);
      else this.perAddress.set(key, left);
    });
  }
}
