// Finished downloads counted by the tracker, waiting to be written to the database in a batch.

/** Per-torrent increments of the completed counter since the last drain. */
export class CompletedTally {
  private deltas = new Map<string, number>();

  add(infoHash: string): void {
    this.deltas.set(infoHash, (this.deltas.get(infoHash) ?? 0) + 1);
  }

  /** Returns the pending increments and starts a new batch. */
  drain(): Map<string, number> {
    const d = this.deltas;
    this.deltas = new Map();
    return d;
  }

  /** Puts increments back (after a failed write), so none is lost. */
  restore(d: Map<string, number>): void {
    for (const [h, n] of d) this.deltas.set(h, (this.deltas.get(h) ?? 0) + n);
  }

  get size(): number {
    return this.deltas.size;
  }
}
