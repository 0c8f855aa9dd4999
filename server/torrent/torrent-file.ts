// Writes a .torrent file (BEP 3) around an already-encoded info dict, with BEP 19 `url-list` and
// BEP 12 `announce-list`; v2 and hybrid torrents carry BEP 52 `piece layers` beside `info`.
import bencode from 'bencode';

export interface TorrentFileInput {
  /** The bencoded info dict, spliced in as is so the info_hash cannot drift. */
  infoBytes: Buffer;
  announce: string;
  /** BEP 12 tiers; left out when undefined (one tracker: `announce` says it all). */
  announceList?: string[][];
  urlList: string[];
  comment?: string;
  /** Seconds since the epoch. */
  creationDate: number;
  /** v2/hybrid: the bencoded `piece layers` dict (info-dict-v2.ts), spliced in as is. */
  pieceLayers?: Buffer;
}

/** Replaces the bencoded string `marker` in `encoded` with `bytes`. */
function splice(encoded: Buffer, marker: Buffer, bytes: Buffer): Buffer {
  const placeholder = Buffer.from(`${marker.length}:${marker.toString()}`);
  const at = encoded.indexOf(placeholder);
  return Buffer.concat([encoded.subarray(0, at), bytes, encoded.subarray(at + placeholder.length)]);
}

/** Encodes the metainfo file; keys in bencode order, `info` byte-identical to infoBytes. */
export function encodeTorrentFile(t: TorrentFileInput): Buffer {
  const marker = Buffer.from('__seedhost_info__');
  const outer: Record<string, unknown> = {
    announce: t.announce, 'created by': 'seedhost', 'creation date': t.creationDate, info: marker, 'url-list': t.urlList,
  };
  if (t.comment) outer.comment = t.comment;
  if (t.announceList !== undefined) outer['announce-list'] = t.announceList;
  const layersMarker = Buffer.from('__seedhost_piece_layers__');
  if (t.pieceLayers !== undefined) outer['piece layers'] = layersMarker;
  const encoded = Buffer.from(bencode.encode(outer));
  const withLayers = t.pieceLayers !== undefined ? splice(encoded, layersMarker, t.pieceLayers) : encoded;
  return splice(withLayers, marker, t.infoBytes);
}
