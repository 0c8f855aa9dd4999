// Errors the tracker may show to a peer. BEP 3: any failure is a bencoded dict with a single
// `failure reason` key, so the message must be safe and meaningful to a BitTorrent client.

/** A failure whose message is safe to send to the peer as `failure reason`. */
export class ClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientError';
  }
}

/** The closed-tracker refusal: an info_hash this tracker did not register. */
export class UnregisteredTorrent extends ClientError {
  constructor() {
    super('unregistered torrent');
  }
}
