// Runs src/discovery/stun_client.ts inside a lab namespace and prints what it learned as JSON.
//
//   deno run -A tests/lab/stun_peer.ts LOCALPORT HOST:PORT [HOST:PORT ...] [--timeout MS]
//
// Prints {"localPort", "natType", "mapped": [{ip, port}], "results": [...]} on one line.
import { learnPublicAddress, type StunServer } from "../../src/discovery/mod.ts";

const args = [...Deno.args];
let timeoutMs = 1500;
const at = args.indexOf("--timeout");
if (at >= 0) {
  timeoutMs = Number(args[at + 1]);
  args.splice(at, 2);
}
const [port, ...targets] = args;
if (port === undefined || targets.length === 0) {
  console.error("usage: stun_peer.ts LOCALPORT HOST:PORT [HOST:PORT ...] [--timeout MS]");
  Deno.exit(2);
}
const servers: StunServer[] = targets.map((text) => {
  const i = text.lastIndexOf(":");
  return { hostname: text.slice(0, i), port: Number(text.slice(i + 1)) };
});
const learned = await learnPublicAddress(Number(port), servers, { timeoutMs });
console.log(JSON.stringify({ localPort: Number(port), ...learned }));
