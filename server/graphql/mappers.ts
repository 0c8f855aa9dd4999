// From entities and swarm data to GraphQL objects.
import type { DataSource } from 'typeorm';
import type { ApiTokenEntity } from '../db/entities/api-token.entity.js';
import type { TorrentEntity } from '../db/entities/torrent.entity.js';
import { UserEntity } from '../db/entities/user.entity.js';
import { magnetUri } from '../torrent/magnet.js';
import { trackerList } from '../torrent/trackers.js';
import { clientName } from '../tracker/peer-client.js';
import type { PeerInfo, SwarmCounts } from '../tracker/peer-store.js';
import type { GraphQLDeps } from './context.js';
import type { Peer } from './types/swarm.type.js';
import { formatOf } from './types/torrent-format.type.js';
import type { Torrent } from './types/torrent.type.js';
import { Role, type ApiToken, type User } from './types/user.type.js';

/** Usernames of the given owner ids (one query). */
export async function ownerNames(ds: DataSource, ids: (number | null)[]): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
  if (wanted.length === 0) return new Map();
  const users = await ds.getRepository(UserEntity).findBy(wanted.map((id) => ({ id })));
  return new Map(users.map((u) => [u.id, u.username]));
}

export function toTorrent(t: TorrentEntity, c: SwarmCounts, owners: Map<number, string>, deps: GraphQLDeps): Torrent {
  const webseedUrl = t.hosted ? `${deps.publicUrl}/webseed/${t.infoHash}/` : null;
  const torrentUrl = `${deps.publicUrl}/torrents/${t.infoHash}.torrent`;
  return {
    infoHash: t.infoHash, format: formatOf(t.format), infoHashV2: t.infoHashV2, name: t.displayName ?? t.name, metainfoName: t.name, size: t.totalSize, pieceLength: t.pieceLength,
    pieceCount: t.pieceCount, id: t.id,
    description: t.description, createdAt: t.createdAt, hosted: t.hosted,
    owner: t.ownerId === null ? null : owners.get(t.ownerId) ?? null,
    magnetUri: magnetUri({ infoHash: t.infoHash, format: t.format, infoHashV2: t.infoHashV2, name: t.name, totalSize: t.totalSize, announce: `${deps.publicUrl}/announce`, trackers: trackerList(`${deps.publicUrl}/announce`, deps.udpAnnounceUrl), webseed: webseedUrl ?? undefined, torrentUrl }),
    torrentUrl,
    // BEP 19: a multi-file torrent's files live below the base URL; a single file is base + name
    webseedUrl: webseedUrl === null || t.multiFile ? webseedUrl : `${webseedUrl}${encodeURIComponent(t.name)}`,
    seeders: c.complete, leechers: c.incomplete, completed: c.downloaded,
  };
}

/** A peer as shown to an admin, with its cursor for `after`. */
export function toPeer(p: PeerInfo, cursor: string): Peer {
  return {
    ip: p.ip, port: p.port, seeder: p.seeder, uploaded: p.uploaded, downloaded: p.downloaded,
    left: p.left, client: clientName(p.peerId), lastSeen: new Date(p.lastSeen), cursor,
  };
}

export function toUser(u: UserEntity): User {
  return { id: u.id, username: u.username, role: u.role as Role, createdAt: u.createdAt };
}

export function toApiToken(t: ApiTokenEntity): ApiToken {
  return { id: t.id, name: t.name, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt };
}
