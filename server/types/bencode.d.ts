declare module 'bencode' {
  const bencode: {
    encode(data: unknown): Uint8Array;
    decode(data: Uint8Array, start?: number, end?: number, encoding?: string): any;
    decode(data: Uint8Array, encoding: string): any;
    byteLength(data: unknown): number;
  };
  export default bencode;
}
