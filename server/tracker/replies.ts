// Bencoded tracker replies (BEP 3, BEP 23 compact, BEP 7 peers6, BEP 48 scrape). The compact
// announce reply is written by hand into one exact-size buffer: it is the hot path.
import bencode from 'bencode';
import { decodeCompactPeer } from './compact-peer.js';
import type { AnnounceResult, SwarmCounts } from './peer-store.js';

/** `d14:failure reason<len>:<text>e`, the only key BEP 3 allows beside a failure. */
export function encodeFailure(reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8');
  return Buffer.concat([Buffer.from(`d14:failure reason${text.length}:`, 'latin1'), text, Buffer.from('e', 'latin1')]);
}

/** Compact announce reply: keys in bencode order; `peers6` only when there are IPv6 peers. */
export function encodeCompactAnnounce(r: AnnounceResult, interval: number, minInterval: number): Buffer {
  const head = 'd8:completei' + r.complete + 'e10:downloadedi' + r.downloaded + 'e10:incompletei' + r.incomplete +
    'e8:intervali' + interval + 'e12:min intervali' + minInterval + 'e5:peers' + r.peers4Len + ':';
  const mid = r.peers6Len > 0 ? '6:peers6' + r.peers6Len + ':' : '';
  const out = Buffer.allocUnsafe(head.length + r.peers4Len + mid.length + r.peers6Len + 1);
  let o = out.write(head, 0, 'latin1');
  o += r.peers4.copy(out, o, 0, r.peers4Len);
  if (mid.length > 0) {
    o += out.write(mid, o, 'latin1');
    o += r.peers6.copy(out, o, 0, r.peers6Len);
  }
  out[o] = 101; // 'e'
  return out;
}

/** Original BEP 3 dictionary-model reply: `peers` is a list of {ip, port, peer id}. */
export function encodeDictAnnounce(r: AnnounceResult, interval: number, minInterval: number, noPeerId: boolean): Buffer {
  const peers: Record<string, unknown>[] = [];
  const add = (buf: Buffer, len: number, size: number, ids: Buffer[]): void => {
    for (let o = 0, i = 0; o < len; o += size, i++) {
      const { ip, port } = decodeCompactPeer(buf, o, size === 18);
      const peer: Record<string, unknown> = { ip, port };
      if (!noPeerId && ids[i] !== undefined) peer['peer id'] = ids[i];
      peers.push(peer);
    }
  };
  add(r.peers4, r.peers4Len, 6, r.ids4);
  add(r.peers6, r.peers6Len, 18, r.ids6);
  return Buffer.from(bencode.encode({
    complete: r.complete, downloaded: r.downloaded, incomplete: r.incomplete,
    interval, 'min interval': minInterval, peers,
  }));
}

/** BEP 48 scrape reply; `files` is keyed by the raw 20-byte info_hash. */
export function encodeScrape(hashes: readonly string[], counts: readonly SwarmCounts[]): Buffer {
  const parts: Buffer[] = [Buffer.from('d5:filesd', 'latin1')];
  for (let i = 0; i < hashes.length; i++) {
    const c = counts[i];
    parts.push(Buffer.from('20:', 'latin1'), Buffer.from(hashes[i], 'hex'),
      Buffer.from(`d8:completei${c.complete}e10:downloadedi${c.downloaded}e10:incompletei${c.incomplete}ee`, 'latin1'));
  }
  parts.push(Buffer.from('ee', 'latin1'));
  return Buffer.concat(parts);
}
