// The server's limits on client input, readable by anyone (the upload page checks them before sending).
import { Ctx, Query, Resolver } from 'type-graphql';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_BYTES, MAX_SEARCH_LENGTH } from '../../services/input-limits.js';
import { MAX_TORRENT_FILE_BYTES } from '../../torrent/parse-torrent.js';
import type { GraphQLContext } from '../context.js';
import { ServerLimits } from '../types/limits.type.js';

@Resolver()
export class LimitsResolver {
  @Query(() => ServerLimits, { description: 'Limits on uploads, registrations, names, descriptions and searches.' })
  limits(@Ctx() { deps }: GraphQLContext): ServerLimits {
    return {
      maxUploadBytes: deps.maxUploadBytes > 0 ? deps.maxUploadBytes : null,
      maxTorrentFiles: deps.maxTorrentFiles,
      maxTorrentFileBytes: MAX_TORRENT_FILE_BYTES,
      maxNameBytes: MAX_NAME_BYTES,
      maxDescriptionLength: MAX_DESCRIPTION_LENGTH,
      maxSearchLength: MAX_SEARCH_LENGTH,
    };
  }
}
