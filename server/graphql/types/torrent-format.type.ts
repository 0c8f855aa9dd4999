import { registerEnumType } from 'type-graphql';
import type { TorrentFormat as StoredFormat } from '../../torrent/metainfo.js';

/** A torrent's metainfo format (BEP 52); the stored value is the lowercase name. */
export enum TorrentFormat {
  V1 = 'v1',
  V2 = 'v2',
  HYBRID = 'hybrid',
}

registerEnumType(TorrentFormat, {
  name: 'TorrentFormat',
  description: 'V1: SHA-1 pieces (BEP 3); V2: per-file SHA-256 merkle trees (BEP 52); HYBRID: both, over the same files.',
});

/** The GraphQL value of a stored format. */
export const formatOf = (f: StoredFormat): TorrentFormat => f as TorrentFormat;
