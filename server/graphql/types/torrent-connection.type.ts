import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Torrent } from './torrent.type.js';

export enum TorrentOrderField {
  CREATED_AT = 'CREATED_AT',
  NAME = 'NAME',
  SIZE = 'SIZE',
  SEEDERS = 'SEEDERS',
}
registerEnumType(TorrentOrderField, { name: 'TorrentOrderField' });

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field()
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ObjectType()
export class TorrentEdge {
  @Field()
  cursor: string;

  @Field(() => Torrent)
  node: Torrent;
}

@ObjectType()
export class TorrentConnection {
  @Field(() => [Torrent])
  nodes: Torrent[];

  @Field(() => [TorrentEdge])
  edges: TorrentEdge[];

  @Field(() => Int)
  totalCount: number;

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
