import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A peer of a swarm. Addresses are personal data: only admins see peers.' })
export class Peer {
  @Field(() => String, { nullable: true, description: 'The address the peer announced from.' })
  ip: string | null;

  @Field(() => Int, { nullable: true })
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

  @Field({ description: 'Pass as `after` to continue after this peer.' })
  cursor: string;
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

@ObjectType({ description: 'A swarm\'s counts over one minute (or the largest of a bucket of several minutes).' })
export class SwarmPoint {
  @Field({ description: 'Start of the minute (or bucket).' })
  at: Date;

  @Field(() => Int)
  seeders: number;

  @Field(() => Int)
  leechers: number;

  @Field(() => Int, { description: 'Finished downloads counted by then.' })
  completed: number;
}

@ObjectType({ description: 'A live swarm: its counts, its recent history, and for admins a page of its peers.' })
export class Swarm extends SwarmUpdate {}

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
