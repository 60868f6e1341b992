/**
 * A benchmark helper: the raw Deno QUIC ceiling. Listens on 127.0.0.1, and for each stream sends
 * the number of bytes the client asks for (an 8-byte count) from memory, in 1 MiB writes.
 * Prints its port and certificate hash as a JSON line; "stats" on stdin prints CPU and peak RSS.
 */
import { generateIdentity, listenerCertificate } from "../src/transport/mod.ts";
import { cpuSeconds, peakRssMiB } from "./_util.ts";

const identity = await generateIdentity();
const tls = await listenerCertificate(identity);
const endpoint = new Deno.QuicEndpoint({ hostname: "127.0.0.1", port: 0 });
const listener = endpoint.listen({ ...tls, alpnProtocols: ["bench"] });
console.log(JSON.stringify({ port: endpoint.addr.port, key: identity.publicKeyHex }));
(async () => {
  for await (const incoming of listener) {
    incoming.accept<false>().then(async (conn) => {
      for await (const stream of conn.incomingBidirectionalStreams) {
        const reader = stream.readable.getReader();
        const { value } = await reader.read();
        const bytes = Number(new DataView(value!.buffer, value!.byteOffset).getBigUint64(0));
        const writer = stream.writable.getWriter();
        const chunk = new Uint8Array(1024 * 1024);
        for (let sent = 0; sent < bytes; sent += chunk.length) {
          await writer.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
        }
        await writer.close();
      }
    }).catch(() => {});
  }
})();
for await (const line of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  if (line.includes("stats")) console.log(JSON.stringify({ cpu: cpuSeconds(), rss: peakRssMiB() }));
  if (line.includes("quit")) break;
}
Deno.exit(0);
