import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A peer of a swarm. Addresses are personal data: only admins see them.' })
export class Peer {
  @Field(() => String, { nullable: true, description: 'null unless the viewer is an admin.' })
  ip: string | null;

  @Field(() => Int, { nullable: true, description: 'null unless the viewer is an admin.' })
  port: number | null;

  @Field()
  seeder: boolean;

  @Field(() => Float)
  uploaded: number;

  @Field(() => Float)
  downloaded: number;

  @Field(() => Float)
  left: number;

  @Field({ description: 'Client name and version from the peer id (Azureus-style), or "unknown".' })
  client: string;

  @Field()
  lastSeen: Date;
}

@ObjectType({ description: 'Pushed when a swarm\'s counts change.' })
export class SwarmUpdate {
  @Field()
  infoHash: string;

  @Field(() => Int)
  seeders: number;

  @Field(() => Int)
  leechers: number;

  @Field(() => Int)
  completed: number;
}

@ObjectType({ description: 'A live swarm: its counts and peers.' })
export class Swarm extends SwarmUpdate {
  @Field(() => [Peer])
  peers: Peer[];
}

@ObjectType()
export class Stats {
  @Field(() => Int)
  torrents: number;

  @Field(() => Int)
  peers: number;

  @Field(() => Int)
  seeders: number;

  @Field(() => Int)
  leechers: number;

  @Field(() => Int, { description: 'Announces answered in the last 60 seconds.' })
  announcesLastMinute: number;
}

@ObjectType()
export class TorrentRemoved {
  @Field()
  infoHash: string;
}
