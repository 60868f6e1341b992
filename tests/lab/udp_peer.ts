// Small UDP sender/receiver for NAT lab tests (hole punching, filtering, multicast).
//
//   deno run -A tests/lab/udp_peer.ts --port P [--bind IP] [--send HOST:PORT]... [--count N]
//        [--interval MS] [--duration MS] [--mcast GROUP] [--tag TEXT] [--expect N] [--echo 1]
//
// Binds IP:P (default 0.0.0.0), sends "TAG #i" to every --send target every --interval ms
// (--count times), receives for --duration ms, then prints one JSON line:
//   {"tag","local","sent","received":[{"from","data"}...]}
// --mcast joins GROUP (e.g. 224.0.0.251) on the interface chosen by the 224.0.0.0/4 route.
// --expect N: exit 1 unless at least N packets were received.
// --echo 1: answer every packet with "echo <data>" to its source (shows what address a NAT mapped to).
// IPv6: --send [2001:db8::10]:9999, --bind 2001:db8::66 or --bind :: (the default bind becomes "::"
// when any --send target is IPv6); IPv6 sources are printed as "[addr]:port".

if (typeof Deno.listenDatagram !== "function") {
  // Deno.listenDatagram needs --unstable-net; re-exec with it (see stun_probe.ts).
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", Deno.mainModule, ...Deno.args],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(code);
}

const opt = {
  port: 0,
  bind: "0.0.0.0",
  send: [] as string[],
  count: 10,
  interval: 200,
  duration: 3000,
  mcast: "",
  tag: "",
  expect: 0,
  echo: "",
};
for (let i = 0; i < Deno.args.length; i++) {
  const k = (Deno.args[i] ?? "").replace(/^--/, ""), v = Deno.args[++i] ?? "";
  if (k === "send") opt.send.push(v);
  else if (k in opt) {
    const o = opt as unknown as Record<string, string | number>;
    o[k] = typeof o[k] === "number" ? Number(v) : v;
  } else {
    console.error(`unknown option --${k}`);
    Deno.exit(2);
  }
}
const tag = opt.tag || `${Deno.hostname()}:${opt.port}`;
const bracket = (h: string) => h.includes(":") ? `[${h}]` : h;
const unbracket = (h: string) => h.replace(/^\[(.*)\]$/, "$1");
const bindGiven = Deno.args.includes("--bind");
if (!bindGiven && opt.send.some((s) => s.startsWith("["))) opt.bind = "::";

// reuseAddress so several listeners (e.g. mDNS-style) can share the port in one namespace.
const conn = Deno.listenDatagram({
  transport: "udp",
  hostname: unbracket(opt.bind),
  port: opt.port,
  reuseAddress: opt.mcast !== "",
});
const local = conn.addr as Deno.NetAddr;
if (opt.mcast) {
  const m = await conn.joinMulticastV4(opt.mcast, "0.0.0.0");
  await m.setLoopback(false); // do not count our own multicast as "received"
}

const received: { from: string; data: string }[] = [];
(async () => {
  try {
    for (;;) {
      const [buf, from] = await conn.receive();
      const a = from as Deno.NetAddr;
      const data = new TextDecoder().decode(buf);
      received.push({ from: `${bracket(a.hostname)}:${a.port}`, data });
      if (opt.echo) await conn.send(new TextEncoder().encode(`echo ${data}`), a).catch(() => {});
    }
  } catch { /* closed */ }
})();

let sent = 0;
const targets = opt.send.map((s) => {
  const i = s.lastIndexOf(":");
  return {
    transport: "udp" as const,
    hostname: unbracket(s.slice(0, i)),
    port: Number(s.slice(i + 1)),
  };
});
const start = Date.now();
for (let i = 0; i < opt.count && targets.length; i++) {
  for (const t of targets) {
    // Errors (e.g. ENETUNREACH) are part of what tests want to see, but must not abort the run.
    try {
      await conn.send(new TextEncoder().encode(`${tag} #${i}`), t);
      sent++;
    } catch (e) {
      console.error(`send to ${t.hostname}:${t.port}: ${e}`);
    }
  }
  await new Promise((r) => setTimeout(r, opt.interval));
}
const left = opt.duration - (Date.now() - start);
if (left > 0) await new Promise((r) => setTimeout(r, left));
conn.close();
console.log(
  JSON.stringify({ tag, local: `${bracket(local.hostname)}:${local.port}`, sent, received }),
);
Deno.exit(received.length >= opt.expect ? 0 : 1);
