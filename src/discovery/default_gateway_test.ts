import assert from "node:assert/strict";
import {
  guessGateways,
  type InterfaceAddress,
  localAddressFacing,
  parseProcNetRoute,
} from "./default_gateway.ts";

const ROUTES = [
  "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
  "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0",
  "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0",
  "eth0\t000200C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0",
  "tun0\t00000000\t00000000\t0001\t0\t0\t50\t00000000\t0\t0\t0",
  "down0\t00000000\t0100000A\t0002\t0\t0\t1\t00000000\t0\t0\t0",
  "garbage line",
  "",
].join("\n");

const INTERFACES: InterfaceAddress[] = [
  { name: "lo", family: "IPv4", address: "127.0.0.1", netmask: "255.0.0.0" },
  { name: "eth0", family: "IPv4", address: "192.0.2.10", netmask: "255.255.255.0" },
  { name: "wlan0", family: "IPv4", address: "192.168.1.37", netmask: "255.255.255.0" },
  { name: "wlan0", family: "IPv6", address: "fe80::1", netmask: "ffff:ffff:ffff:ffff::" },
  { name: "cg", family: "IPv4", address: "10.20.30.40", netmask: "255.0.0.0" },
];

Deno.test("The default routes of /proc/net/route are read lowest metric first, in host byte order", () => {
  assert.deepEqual(parseProcNetRoute(ROUTES), [
    { gateway: "192.0.2.1", interface: "eth0" },
    { gateway: "192.168.1.1", interface: "wlan0" },
  ]);
});

Deno.test("Routes without a gateway, down routes and garbage give no default gateway", () => {
  assert.deepEqual(parseProcNetRoute(""), []);
  const lines = ROUTES.split("\n");
  assert.deepEqual(parseProcNetRoute([lines[0], ...lines.slice(3)].join("\n")), []);
});

Deno.test("The local address facing a gateway is the one in its subnet", () => {
  assert.equal(localAddressFacing("192.168.1.1", INTERFACES), "192.168.1.37");
  assert.equal(localAddressFacing("192.0.2.1", INTERFACES), "192.0.2.10");
  assert.equal(localAddressFacing("10.1.1.1", INTERFACES), "10.20.30.40");
  assert.equal(localAddressFacing("127.0.0.1", INTERFACES), "127.0.0.1");
  assert.equal(localAddressFacing("198.51.100.1", INTERFACES), undefined);
  assert.equal(localAddressFacing("not an ip", INTERFACES), undefined);
});

Deno.test("Without a route table the guesses are the first host of each private subnet, then the .1 of its /24", () => {
  assert.deepEqual(guessGateways(INTERFACES), ["192.168.1.1", "10.0.0.1", "10.20.30.1"]);
  assert.deepEqual(
    guessGateways([
      { name: "w", family: "IPv4", address: "192.168.7.20", netmask: "255.255.0.0" },
      { name: "x", family: "IPv4", address: "172.16.0.9", netmask: "255.255.255.255" },
    ]),
    ["192.168.0.1", "192.168.7.1", "172.16.0.1"],
  );
  assert.deepEqual(
    guessGateways([{
      name: "r",
      family: "IPv4",
      address: "192.168.5.1",
      netmask: "255.255.255.0",
    }]),
    [],
  );
});
