import { Field, Float, Int, ObjectType } from 'type-graphql';
import { TorrentFormat } from './torrent-format.type.js';

@ObjectType({ description: 'One file of a torrent.' })
export class TorrentFile {
  @Field({ description: 'Relative to the torrent root, /-separated.' })
  path: string;

  @Field(() => Float, { description: 'Bytes.' })
  size: number;

  @Field({ description: 'Opaque: pass as Torrent.files(after:) to read the files after this one.' })
  cursor: string;
}

@ObjectType({ description: 'A torrent this server tracks; live counts come from the swarm.' })
export class Torrent {
  /** The database id (not in the schema): Torrent.files and fileCount read by it. */
  id: number;

  @Field({ description: 'The info_hash peers announce, 40 lowercase hex characters: the SHA-1 of the info dict (v1, hybrid), or for a v2-only torrent its SHA-256 cut to 20 bytes (BEP 52).' })
  infoHash: string;

  @Field(() => TorrentFormat)
  format: TorrentFormat;

  @Field(() => String, { nullable: true, description: 'SHA-256 info hash of a v2 or hybrid torrent, 64 lowercase hex characters; null for v1.' })
  infoHashV2: string | null;

  @Field({ description: 'The shown name (the metainfo name unless renamed).' })
  name: string;

  @Field({ description: 'The name inside the metainfo.' })
  metainfoName: string;

  @Field(() => Float, { description: 'Total bytes.' })
  size: number;

  @Field(() => Int)
  pieceLength: number;

  @Field(() => Int)
  pieceCount: number;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field()
  createdAt: Date;

  @Field({ description: 'Whether this server stores the content and serves it as a webseed.' })
  hosted: boolean;

  @Field(() => String, { nullable: true, description: 'Username of the publisher (null: the command line).' })
  owner: string | null;

  @Field()
  magnetUri: string;

  @Field()
  torrentUrl: string;

  @Field(() => String, { nullable: true, description: 'BEP 19 webseed base URL, when hosted.' })
  webseedUrl: string | null;

  @Field(() => Int)
  seeders: number;

  @Field(() => Int)
  leechers: number;

  @Field(() => Int, { description: 'Finished downloads reported by peers.' })
  completed: number;
}
