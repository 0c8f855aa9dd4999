import { registerEnumType } from 'type-graphql';

/** The GraphQL enum of torrent formats (torrent/format.ts): v1 (BEP 3), v2 and hybrid (BEP 52). */
export enum TorrentFormatValue {
  v1 = 'v1',
  v2 = 'v2',
  hybrid = 'hybrid',
}
registerEnumType(TorrentFormatValue, { name: 'TorrentFormat', description: 'v1: BEP 3 (as mktorrent); v2: BEP 52 only; hybrid: both, with BEP 47 padding files (as libtorrent 2.0).' });
