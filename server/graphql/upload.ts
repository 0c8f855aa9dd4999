// The `Upload` scalar of the GraphQL multipart request spec. The HTTP layer puts an Upload in the
// variables for each file part; its promise resolves when the part's headers arrive, with the
// part's own stream (no temp file, nothing buffered).
import type { Readable } from 'node:stream';
import { GraphQLError, GraphQLScalarType } from 'graphql';

export interface FileUpload {
  /** As the client named it; may carry a relative path (`docs/a.txt`). */
  filename: string;
  mimetype: string;
  stream: Readable;
}

export class Upload {
  readonly promise: Promise<FileUpload>;
  resolve!: (f: FileUpload) => void;
  reject!: (e: Error) => void;
  settled = false;

  constructor() {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = (f) => { this.settled = true; resolve(f); };
      this.reject = (e) => { this.settled = true; reject(e); };
    });
    this.promise.catch(() => undefined); // a resolver may never look at a failed file
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
