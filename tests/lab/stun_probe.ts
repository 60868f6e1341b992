// Minimal STUN (RFC 5389) binding client for the NAT lab.
//
//   deno run -A tests/lab/stun_probe.ts LOCALPORT SERVER1:3478 [SERVER2:3478 ...] [--timeout MS]
//
// Queries every server from ONE local UDP socket (that is what makes mapping behaviour visible:
// an endpoint-independent NAT reports the same mapped port to all servers, a symmetric NAT does
// not) and prints JSON: {"local": ..., "results": [{"server", "mapped", "responseOrigin",
// "otherAddress", "rttMs"} | {"server", "error"}]}.  Exit 0 only if every server answered.
// IPv6 servers are written [2001:db8::10]:3478; the socket then binds "::" and v6 addresses are
// printed as [addr]:port.

// Deno.listenDatagram is still behind --unstable-net; re-exec ourselves with it so the usage
// line above works without extra flags (and without a deno.json that could fight a project one).
if (typeof Deno.listenDatagram !== "function") {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", Deno.mainModule, ...Deno.args],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(code);
}

const MAGIC = 0x2112a442;
const args = [...Deno.args];
let timeoutMs = 3000;
const ti = args.indexOf("--timeout");
if (ti >= 0) {
  timeoutMs = Number(args[ti + 1]);
  args.splice(ti, 2);
}
if (args.length < 2) {
  console.error("usage: stun_probe.ts LOCALPORT HOST:PORT [HOST:PORT ...] [--timeout MS]");
  Deno.exit(2);
}
const localPort = Number(args[0]);
const servers = args.slice(1).map((s) => {
  const i = s.lastIndexOf(":");
  return {
    hostname: s.slice(0, i).replace(/^\[(.*)\]$/, "$1"),
    port: Number(s.slice(i + 1)),
    text: s,
  };
});

function request(txid: Uint8Array): Uint8Array {
  const b = new Uint8Array(20);
  const v = new DataView(b.buffer);
  v.setUint16(0, 0x0001); // Binding Request
  v.setUint16(2, 0); // no attributes
  v.setUint32(4, MAGIC);
  b.set(txid, 8);
  return b;
}

// Decode an address attribute; XOR variants are XORed with the magic cookie (IPv6: with the
// magic cookie and the transaction id, RFC 5389 section 15.2).
function addr(v: DataView, off: number, xor: boolean): string | null {
  const family = v.getUint8(off + 1);
  if (family === 0x02) {
    const port = v.getUint16(off + 2) ^ (xor ? MAGIC >>> 16 : 0);
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) {
      let g = v.getUint16(off + 4 + 2 * i);
      if (xor) g ^= v.getUint16(4 + 2 * i); // bytes 4..19 of the header: cookie + transaction id
      groups.push(g.toString(16));
    }
    const ip = groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::").replace(/:{3,}/, "::");
    return `[${ip}]:${port}`;
  }
  if (family !== 0x01) return null;
  let port = v.getUint16(off + 2);
  let ip = v.getUint32(off + 4);
  if (xor) {
    port ^= MAGIC >>> 16;
    ip = (ip ^ MAGIC) >>> 0;
  }
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${port}`;
}

function parse(b: Uint8Array, txid: Uint8Array) {
  if (b.length < 20) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint16(0) !== 0x0101 || v.getUint32(4) !== MAGIC) return null; // Binding Success
  for (let i = 0; i < 12; i++) if (b[8 + i] !== txid[i]) return null;
  const out: Record<string, string> = {};
  const end = Math.min(20 + v.getUint16(2), b.length);
  for (let off = 20; off + 4 <= end;) {
    const type = v.getUint16(off), len = v.getUint16(off + 2), val = off + 4;
    if (type === 0x0020) out.mapped = addr(v, val, true) ?? ""; // XOR-MAPPED-ADDRESS
    else if (type === 0x0001 && !out.mapped) out.mapped = addr(v, val, false) ?? ""; // MAPPED-ADDRESS
    else if (type === 0x802b) out.responseOrigin = addr(v, val, false) ?? ""; // RESPONSE-ORIGIN
    else if (type === 0x802c) out.otherAddress = addr(v, val, false) ?? ""; // OTHER-ADDRESS
    off = val + ((len + 3) & ~3);
  }
  return out;
}

const conn = Deno.listenDatagram({
  transport: "udp",
  hostname: servers.some((s) => s.text.startsWith("[")) ? "::" : "0.0.0.0",
  port: localPort,
});
const local = conn.addr as Deno.NetAddr;

// One reader for the socket; responses are matched to requests by transaction id.
const waiting = new Map<string, (b: Uint8Array) => void>();
(async () => {
  try {
    for (;;) {
      const [buf] = await conn.receive();
      if (buf.length >= 20) waiting.get(buf.slice(8, 20).join(","))?.(buf);
    }
  } catch { /* socket closed */ }
})();

const results: Record<string, unknown>[] = [];
for (const s of servers) {
  const txid = crypto.getRandomValues(new Uint8Array(12));
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reply = await new Promise<Uint8Array | null>((resolve) => {
    const send = () =>
      conn.send(request(txid), { transport: "udp", hostname: s.hostname, port: s.port }).catch(
        () => {},
      );
    send();
    // UDP is lossy by design: retransmit every 500 ms until the deadline.
    const iv = setInterval(send, 500);
    timer = setTimeout(() => {
      clearInterval(iv);
      resolve(null);
    }, timeoutMs);
    waiting.set(txid.join(","), (b) => {
      clearInterval(iv);
      resolve(b);
    });
  });
  clearTimeout(timer);
  waiting.delete(txid.join(","));
  const parsed = reply ? parse(reply, txid) : null;
  if (parsed?.mapped) {
    results.push({ server: s.text, ...parsed, rttMs: Math.round(performance.now() - t0) });
  } else results.push({ server: s.text, error: reply ? "unparseable response" : "timeout" });
}
conn.close();
console.log(
  JSON.stringify({
    local: `${local.hostname.includes(":") ? `[${local.hostname}]` : local.hostname}:${local.port}`,
    results,
  }),
);
Deno.exit(results.every((r) => r.mapped) ? 0 : 1);
