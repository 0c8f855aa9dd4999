// How services tell the running process (tracker registry, later GraphQL) about catalog changes.

export interface CatalogEvents {
  /** `infoHashV2`: the SHA-256 info hash (64 hex) of a v2 or hybrid torrent, a hybrid's v2 peers announce its first 40 hex. */
  torrentAdded(infoHash: string, completed: number, infoHashV2?: string | null): void;
  torrentRemoved(infoHash: string): void;
}

/** For processes with no tracker (the command line): changes reach servers via the change counter. */
export const noCatalogEvents: CatalogEvents = { torrentAdded() {}, torrentRemoved() {} };
