import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: "This server's limits on what a client sends, so that a client can check before sending." })
export class ServerLimits {
  @Field(() => Float, { nullable: true, description: 'Largest upload in bytes (MAX_UPLOAD_BYTES); null: no limit.' })
  maxUploadBytes: number | null;

  @Field(() => Int, { description: 'Most files in one torrent, uploaded or registered (MAX_TORRENT_FILES).' })
  maxTorrentFiles: number;

  @Field(() => Int, { description: 'Largest .torrent file accepted by registerTorrent, in bytes.' })
  maxTorrentFileBytes: number;

  @Field(() => Int, { description: 'Longest torrent name, in bytes of UTF-8.' })
  maxNameBytes: number;

  @Field(() => Int, { description: 'Longest description, in UTF-16 code units.' })
  maxDescriptionLength: number;

  @Field(() => Int, { description: 'Longest search string, in characters.' })
  maxSearchLength: number;
}
