// The `Upload` scalar of the GraphQL multipart request spec. The HTTP layer puts an Upload in the
// variables for each file part; its promise resolves when the part's headers arrive, with the
// part's own stream (no temp file, nothing buffered).
import type { Readable } from 'node:stream';
import { GraphQLError, GraphQLScalarType } from 'graphql';

export interface FileUpload {
  /** As the client named it; may carry a relative path (`docs/a.txt`). */
  filename: string;
  /** The same as filename: what the publisher takes (services/stage-content.ts PublishFile). */
  path: string;
  mimetype: string;
  stream: Readable;
}

const ignore = (): undefined => undefined;

/**
 * One file part to come. Kept small (a request may carry 20,000): the promise, its two resolving
 * functions, and nothing per file that the path from the part to the publisher does not need.
 */
export class Upload {
  readonly promise: Promise<FileUpload>;
  settled = false;
  private done!: (f: FileUpload) => void;
  private failed!: (e: Error) => void;

  constructor() {
    this.promise = new Promise((resolve, reject) => {
      this.done = resolve;
      this.failed = reject;
    });
  }

  resolve(f: FileUpload): void {
    this.settled = true;
    this.done(f);
  }

  reject(e: Error): void {
    this.settled = true;
    this.promise.catch(ignore); // a resolver may never look at a failed file
    this.failed(e);
  }
}

export const GraphQLUpload = new GraphQLScalarType({
  name: 'Upload',
  description: 'A file in a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec).',
  parseValue(value: unknown) {
    if (value instanceof Upload) return value.promise;
    throw new GraphQLError('Upload values come only from multipart file parts', { extensions: { code: 'BAD_USER_INPUT' } });
  },
  parseLiteral() {
    throw new GraphQLError('Upload literals are not supported', { extensions: { code: 'BAD_USER_INPUT' } });
  },
  serialize() {
    throw new GraphQLError('Upload cannot be returned');
  },
});
