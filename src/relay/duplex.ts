/**
 * The shape the relayed session runs over and gives back: a pair of byte streams, as a Deno QUIC
 * bidirectional stream has them.
 */

/** Two byte streams, one each way: what a QUIC bidirectional stream gives. */
export interface Duplex {
  /** Bytes from the other side. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the other side. */
  readonly writable: WritableStream<Uint8Array>;
}
