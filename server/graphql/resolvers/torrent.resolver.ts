// Torrent queries and mutations: thin, one service call each.
import { Arg, Args, ArgsType, Authorized, Ctx, Field, Float, Int, Mutation, Query, Resolver } from 'type-graphql';
import { publishTorrent, type PublishFile } from '../../services/publish-torrent.js';
import { registerTorrent } from '../../services/register-torrent.js';
import { deleteTorrent, findTorrents, getTorrent, updateTorrent } from '../../services/torrent-catalog.js';
import { MAX_TORRENT_FILE_BYTES } from '../../torrent/parse-torrent.js';
import type { GraphQLContext } from '../context.js';
import { fail, rethrow } from '../errors.js';
import { anyInfoHashArg, infoHashArg } from '../info-hash-arg.js';
import { ownerNames, toTorrent } from '../mappers.js';
import { loopSlices } from '../loop-slices.js';
import { TorrentConnection, TorrentOrderField } from '../types/torrent-connection.type.js';

import { TorrentFormat } from '../types/torrent-format.type.js';
import { Torrent } from '../types/torrent.type.js';
import { GraphQLUpload, type FileUpload } from '../upload.js';

@ArgsType()
class TorrentsArgs {
  @Field(() => String, { nullable: true, description: 'Part of the name or of a file path (the first 20,000 characters of paths), matched in any case and script.' })
  search?: string | null;

  @Field(() => Int, { nullable: true, description: 'Page size, 0 to 100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge already seen.' })
  after?: string | null;

  @Field(() => TorrentOrderField, { nullable: true })
  orderBy?: TorrentOrderField | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true (newest, largest, most seeded first).' })
  descending?: boolean | null;
}

async function readAll(stream: NodeJS.ReadableStream, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > max) fail('PAYLOAD_TOO_LARGE', 'file too large for a .torrent');
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts);
}

@Resolver(() => Torrent)
export class TorrentResolver {
  @Query(() => TorrentConnection, { description: 'Torrents, newest first unless ordered otherwise.' })
  async torrents(@Args() a: TorrentsArgs, @Ctx() { deps }: GraphQLContext): Promise<TorrentConnection> {
    const counts = async (hashes: string[]) => deps.store.scrape(hashes);
    await loopSlices.checkpoint();
    const page = await findTorrents(deps.ds, { search: a.search, first: a.first, after: a.after, orderBy: a.orderBy ?? undefined, descending: a.descending ?? true }, counts)
      .catch(rethrow);
    const [c, owners] = await Promise.all([counts(page.rows.map((t) => t.infoHash)), ownerNames(deps.ds, page.rows.map((t) => t.ownerId))]);
    const nodes = page.rows.map((t, i) => toTorrent(t, c[i], owners, deps));
    const edges = nodes.map((node, i) => ({ node, cursor: page.cursors[i] }));
    return {
      nodes: loopSlices.paced(nodes), edges: loopSlices.paced(edges), totalCount: page.totalCount,
      pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: page.hasPreviousPage, startCursor: edges[0]?.cursor ?? null, endCursor: edges[edges.length - 1]?.cursor ?? null },
    };
  }

  @Query(() => Torrent, { nullable: true, description: 'By either hash: infoHash (40 hex), infoHashV2 (64 hex), or a hybrid\'s v2 hash cut to 40 hex as v2 peers announce it.' })
  async torrent(@Arg('infoHash') infoHash: string, @Ctx() { deps }: GraphQLContext): Promise<Torrent | null> {
    await loopSlices.checkpoint();
    const t = await getTorrent(deps.ds, anyInfoHashArg(infoHash));
    if (t === null) return null;
    const [[c], owners] = await Promise.all([deps.store.scrape([t.infoHash]), ownerNames(deps.ds, [t.ownerId])]);
    return toTorrent(t, c, owners, deps);
  }

  @Authorized()
  @Mutation(() => Torrent, { description: 'Publish files (GraphQL multipart request); several files make a multi-file torrent.' })
  async uploadTorrent(
    @Arg('files', () => [GraphQLUpload]) files: Promise<FileUpload>[],
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Arg('description', () => String, { nullable: true }) description: string | null,
    @Arg('pieceLength', () => Int, { nullable: true }) pieceLength: number | null,
    @Arg('totalSize', () => Float, { nullable: true, description: 'Total bytes, if known: picks the piece length, refuses oversize at once.' }) totalSize: number | null,
    @Arg('format', () => TorrentFormat, { nullable: true, description: 'Default: the server\'s TORRENT_FORMAT (V1 unless set).' }) format: TorrentFormat | null,
    @Ctx() { deps, user }: GraphQLContext,
  ): Promise<Torrent> {
    // an upload is a PublishFile as it is (its path is its filename): no promise or object more per file
    const pending: Promise<PublishFile>[] = files;
    const row = await publishTorrent(
      { ds: deps.ds, files: deps.files, events: deps.events, publicUrl: deps.publicUrl, udpAnnounceUrl: deps.udpAnnounceUrl, maxUploadBytes: deps.maxUploadBytes, maxFiles: deps.maxTorrentFiles, stats: deps.publishes },
      { name: name ?? undefined, description, pieceLength: pieceLength ?? undefined, totalSize: totalSize ?? undefined, ownerId: user?.id ?? null, files: pending, format: format ?? deps.torrentFormat ?? 'v1' },
    ).catch(rethrow);
    return toTorrent(row, { complete: 0, incomplete: 0, downloaded: 0 }, new Map([[user?.id as number, user?.username as string]]), deps);
  }

  @Authorized()
  @Mutation(() => Torrent, { description: 'Track an existing .torrent whose content is not hosted here.' })
  async registerTorrent(
    @Arg('file', () => GraphQLUpload) file: Promise<FileUpload>,
    @Arg('description', () => String, { nullable: true }) description: string | null,
    @Ctx() { deps, user }: GraphQLContext,
  ): Promise<Torrent> {
    const bytes = await readAll((await file).stream, MAX_TORRENT_FILE_BYTES);
    const { torrent, created } = await registerTorrent(deps.ds, deps.events, bytes, { description, ownerId: user?.id ?? null, maxFiles: deps.maxTorrentFiles }).catch(rethrow);
    if (!created) fail('CONFLICT', `torrent ${torrent.infoHash} is already registered`);
    const t = await getTorrent(deps.ds, torrent.infoHash);
    const [c] = await deps.store.scrape([torrent.infoHash]);
    return toTorrent(t ?? torrent, c, await ownerNames(deps.ds, [torrent.ownerId]), deps);
  }

  @Authorized()
  @Mutation(() => Torrent)
  async updateTorrent(
    @Arg('infoHash') infoHash: string,
    @Arg('name', () => String, { nullable: true, description: 'Shown name; empty restores the metainfo name.' }) name: string | null | undefined,
    @Arg('description', () => String, { nullable: true }) description: string | null | undefined,
    @Ctx() { deps, user }: GraphQLContext,
  ): Promise<Torrent> {
    const t = await updateTorrent(deps.ds, user!, infoHashArg(infoHash), { name, description }).catch(rethrow);
    const [[c], owners] = await Promise.all([deps.store.scrape([t.infoHash]), ownerNames(deps.ds, [t.ownerId])]);
    return toTorrent(t, c, owners, deps);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Stops tracking and removes hosted content.' })
  async deleteTorrent(@Arg('infoHash') infoHash: string, @Ctx() { deps, user }: GraphQLContext): Promise<boolean> {
    return deleteTorrent(deps.ds, deps.events, deps.files, user!, infoHashArg(infoHash)).catch(rethrow);
  }
}

