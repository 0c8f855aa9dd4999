// The WebSocket tracker's own registry of who is connected here, per torrent: what offers are
// relayed to and answers routed by. Dense arrays with an index, so a random pick and a removal
// are O(1); the PeerStore keeps the counts (webrtc-address.ts), this keeps only the sockets.

export interface Member {
  /** Sends one text message (a string or its UTF-8 bytes); false when the socket is gone or not reading. */
  send(text: string | Uint8Array): boolean;
}

class Room<M extends Member> {
  readonly members: M[] = [];
  readonly peerIds: string[] = [];
  readonly index = new Map<string, number>();
}

export class WsSwarms<M extends Member> {
  private readonly rooms = new Map<string, Room<M>>();

  join(infoHash: string, peerId: string, m: M): void {
    let r = this.rooms.get(infoHash);
    if (r === undefined) {
      r = new Room<M>();
      this.rooms.set(infoHash, r);
    }
    const i = r.index.get(peerId);
    if (i !== undefined) {
      r.members[i] = m; // the same peer id on a new socket replaces the old one
      return;
    }
    r.index.set(peerId, r.members.length);
    r.members.push(m);
    r.peerIds.push(peerId);
  }

  /** Removes peerId from infoHash's room if `m` holds it there. */
  leave(infoHash: string, peerId: string, m: M): void {
    const r = this.rooms.get(infoHash);
    const i = r?.index.get(peerId);
    if (r === undefined || i === undefined || r.members[i] !== m) return;
    const last = r.members.length - 1;
    if (i !== last) {
      r.members[i] = r.members[last];
      r.peerIds[i] = r.peerIds[last];
      r.index.set(r.peerIds[i], i);
    }
    r.members.pop();
    r.peerIds.pop();
    r.index.delete(peerId);
    if (r.members.length === 0) this.rooms.delete(infoHash);
  }

  get(infoHash: string, peerId: string): M | undefined {
    const r = this.rooms.get(infoHash);
    const i = r?.index.get(peerId);
    return i === undefined ? undefined : r!.members[i];
  }

  /** Calls fn for up to n distinct random members of infoHash other than `self`. */
  pick(infoHash: string, self: string, n: number, fn: (m: M, peerId: string) => void): void {
    const r = this.rooms.get(infoHash);
    if (r === undefined || n <= 0) return;
    const len = r.members.length;
    const selfAt = r.index.get(self) ?? -1;
    const others = len - (selfAt >= 0 ? 1 : 0);
    if (others <= n) {
      for (let i = 0; i < len; i++) if (i !== selfAt) fn(r.members[i], r.peerIds[i]);
      return;
    }
    // a run from a random start: distinct without a set, random enough for introductions
    let i = Math.floor(Math.random() * len), got = 0;
    while (got < n) {
      if (i !== selfAt) {
        fn(r.members[i], r.peerIds[i]);
        got++;
      }
      i = i + 1 === len ? 0 : i + 1;
    }
  }

  size(infoHash: string): number {
    return this.rooms.get(infoHash)?.members.length ?? 0;
  }
}
