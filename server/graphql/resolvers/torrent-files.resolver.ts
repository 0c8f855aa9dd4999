// Torrent.files and Torrent.fileCount: a torrent's file list read a page at a time from the
// database (a torrent may have MAX_TORRENT_FILES files; a page is at most MAX_FILE_PAGE).
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { MAX_FILE_PAGE, torrentFiles } from '../../services/torrent-catalog.js';
import type { GraphQLContext } from '../context.js';
import { rethrow } from '../errors.js';
import { loopSlices } from '../loop-slices.js';
import { Torrent, TorrentFile } from '../types/torrent.type.js';

@Resolver(() => Torrent)
export class TorrentFilesResolver {
  @FieldResolver(() => [TorrentFile], { description: `Files in metainfo order, a page at a time: \`first\` 0 to ${MAX_FILE_PAGE} (default ${MAX_FILE_PAGE}) after the file whose cursor is \`after\`.` })
  async files(
    @Root() t: Torrent,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { deps }: GraphQLContext,
  ): Promise<TorrentFile[]> {
    await loopSlices.checkpoint();
    const page = await torrentFiles(deps.ds, t.id, first, after).catch(rethrow);
    return loopSlices.paced(page.files.map((f) => ({ path: f.path, size: f.length, cursor: f.cursor })));
  }

  @FieldResolver(() => Int, { description: 'How many files the torrent has.' })
  fileCount(@Root() t: Torrent, @Ctx() { fileCounts }: GraphQLContext): Promise<number> {
    return fileCounts.load(t.id);
  }
}
