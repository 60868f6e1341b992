/**
 * A benchmark anchor: a bare Deno QUIC server that takes connections, answers one byte on their
 * first stream and waits for them to close; nothing of harddrive-party. Prints its port, key and
 * pid as a JSON line, and runs until killed.
 */
import { generateIdentity, listenerCertificate } from "../src/transport/mod.ts";

const identity = await generateIdentity();
const tls = await listenerCertificate(identity);
const endpoint = new Deno.QuicEndpoint({ hostname: "127.0.0.1", port: 0 });
const listener = endpoint.listen({
  ...tls,
  alpnProtocols: ["bare"],
  keepAliveInterval: 10_000,
  maxIdleTimeout: 30_000,
});
console.log(
  JSON.stringify({ port: endpoint.addr.port, key: identity.publicKeyHex, pid: Deno.pid }),
);
for await (const incoming of listener) {
  incoming.accept<false>().then(async (conn) => {
    const { value: stream } = await conn.incomingBidirectionalStreams.getReader().read();
    if (!stream) return;
    await stream.readable.getReader().read();
    const writer = stream.writable.getWriter();
    await writer.write(new Uint8Array([1]));
    await writer.close();
    await conn.closed.catch(() => {});
  }).catch(() => {});
}
