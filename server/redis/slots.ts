// Redis Cluster hash slots (CRC16-XMODEM of a key's hash tag, mod 16384, as the Cluster spec
// defines it) and, per slot, a short tag that hashes to it: the keys shared by the torrents of a
// slot (keys.ts SlotKeys) carry that tag, so one script can update a torrent and its slot's
// registries on whichever node serves the slot.

/** Hash slots of a Redis Cluster. */
export const SLOTS = 16384;

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}

/** The slot of a key whose hash tag (or whole name, when it has none) is the latin1 text `tag`. */
export function slotOfTag(tag: string): number {
  let crc = 0;
  for (let i = 0; i < tag.length; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ tag.charCodeAt(i)) & 0xff];
  return crc & (SLOTS - 1);
}

let tags: string[] | undefined;

/** A short tag (base-36 digits, never braces) whose slot is `slot`; the table is built once (~10 ms). */
export function tagOfSlot(slot: number): string {
  if (tags === undefined) {
    const t: string[] = new Array(SLOTS);
    for (let i = 0, left = SLOTS; left > 0; i++) {
      const s = i.toString(36);
      const k = slotOfTag(s);
      if (t[k] === undefined) {
        t[k] = s;
        left--;
      }
    }
    tags = t;
  }
  return tags[slot];
}
