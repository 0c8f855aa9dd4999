// Slot codes by peer key (peer-list.ts PeerKey): IPv4 keys, numbers, in a NumberIndex (no object
// per entry); IPv6 keys, strings, in a Map.
import { NumberIndex } from './number-index.js';
import type { PeerKey } from './peer-list.js';

export class KeyIndex {
  private readonly numbers = new NumberIndex();
  private readonly strings = new Map<string, number>();

  /** The value of `key` (a whole number), or -1 when absent. */
  get(key: PeerKey): number {
    return typeof key === 'number' ? this.numbers.get(key) : (this.strings.get(key) ?? -1);
  }

  /** Sets `key` to `value`, a whole number from 0. */
  set(key: PeerKey, value: number): void {
    if (typeof key === 'number') this.numbers.set(key, value);
    else this.strings.set(key, value);
  }

  delete(key: PeerKey): void {
    if (typeof key === 'number') this.numbers.delete(key);
    else this.strings.delete(key);
  }

  get size(): number {
    return this.numbers.size + this.strings.size;
  }
}
