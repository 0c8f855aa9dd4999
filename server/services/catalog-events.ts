// How services tell the running process (tracker registry, later GraphQL) about catalog changes.

export interface CatalogEvents {
  torrentAdded(infoHash: string, completed: number): void;
  torrentRemoved(infoHash: string): void;
}

/** For processes with no tracker (the command line): changes reach servers via the change counter. */
export const noCatalogEvents: CatalogEvents = { torrentAdded() {}, torrentRemoved() {} };
