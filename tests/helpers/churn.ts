/**
 * Throwaway identities: connections from keys made for the purpose, each authenticated and then
 * closed, from one QUIC endpoint (a real dialer's, just without a node behind it). What a
 * stranger who wants to wear a node down does; used by tests and by the soak benchmark.
 */
import {
  fromHex,
  generateIdentity,
  proveIdentity,
  SERVER_NAME,
  trustAnchorFor,
} from "../../src/transport/mod.ts";
import { ALPN } from "../../src/wire/mod.ts";

/** Where the node under test listens. */
export interface Target {
  port: number;
  /** The node's public key, hex. */
  publicKey: string;
  /**
   * `bare`: the benchmarks' raw QUIC server (bench/_raw_quic.ts, ALPN `bench`): a count and one
   * byte back on one stream instead of the handshake, the anchor of what Deno's QUIC costs by
   * itself. Default `hdp`.
   */
  kind?: "hdp" | "bare";
}

/** Dials and authenticates as one fresh key at a time, `parallel` at once. */
export class Churn {
  readonly #endpoint = new Deno.QuicEndpoint({ hostname: "127.0.0.1", port: 0 });
  readonly #target: Target;
  #anchor: Promise<string> | undefined;
  /** Connections that authenticated, and that failed. */
  done = 0;
  failed = 0;

  constructor(target: Target) {
    this.#target = target;
  }

  /**
   * `count` connect/authenticate/disconnect cycles; each holds its connection for `holdMs`
   * before it closes it.
   */
  async run(count: number, options: { parallel?: number; holdMs?: number } = {}): Promise<void> {
    let left = count;
    const lane = async () => {
      while (left-- > 0) {
        await this.#cycle(options.holdMs ?? 0).then(() => this.done++, () => this.failed++);
      }
    };
    await Promise.all(Array.from({ length: options.parallel ?? 4 }, lane));
  }

  async #cycle(holdMs: number): Promise<void> {
    const key = fromHex(this.#target.publicKey)!;
    this.#anchor ??= trustAnchorFor(key);
    const identity = await generateIdentity();
    const conn = await Deno.connectQuic<false>({
      endpoint: this.#endpoint,
      hostname: "127.0.0.1",
      port: this.#target.port,
      serverName: SERVER_NAME,
      alpnProtocols: [this.#target.kind === "bare" ? "bench" : ALPN],
      caCerts: [await this.#anchor],
    });
    try {
      const stream = await conn.createBidirectionalStream();
      if (this.#target.kind === "bare") {
        const count = new Uint8Array(8);
        new DataView(count.buffer).setBigUint64(0, 1n); // one byte, please
        await stream.writable.getWriter().write(count);
        await stream.readable.getReader().read();
      } else {
        await proveIdentity(stream, identity, key);
      }
      if (holdMs) await new Promise((resolve) => setTimeout(resolve, holdMs));
    } finally {
      conn.close({ closeCode: 0, reason: "bye" });
    }
  }

  close(): void {
    this.#endpoint.close();
  }
}
