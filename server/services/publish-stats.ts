// Counts of content publishes (uploads) by result, and the bytes they published; read by the
// metrics endpoint.
import type { PublishErrorCode } from './publish-input.js';

/** 'ok', a PublishError code in lower case, or 'internal' for anything unexpected. */
export type PublishResult = 'ok' | Lowercase<PublishErrorCode> | 'internal';

/** Publishes by result and content bytes of the successful ones. */
export class PublishStats {
  readonly byResult = new Map<PublishResult, number>();
  bytes = 0;

  /** Counts one publish that ended with `result`, adding `bytes` of published content. */
  published(result: PublishResult, bytes = 0): void {
    this.byResult.set(result, (this.byResult.get(result) ?? 0) + 1);
    this.bytes += bytes;
  }
}
