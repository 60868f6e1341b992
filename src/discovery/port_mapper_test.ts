import assert from "node:assert/strict";
import { natPmpResponse } from "./nat_pmp.ts";
import { type PcpMapRequest, pcpMapResponse } from "./pcp.ts";
import { PortMapper, type PortMapperOptions, type PortMapping } from "./port_mapper.ts";

const LO = [{ name: "lo", family: "IPv4" as const, address: "127.0.0.1", netmask: "255.0.0.0" }];
const EXTERNAL_IP = "203.0.113.7";

/** What a fake gateway answers to one datagram. */
type Behaviour = (request: Uint8Array, n: number, from: Deno.NetAddr) => Uint8Array[];

/** A PCP / NAT-PMP gateway on 127.0.0.1 that answers as `behaviour` says. */
function fakeGateway(behaviour: Behaviour) {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const requests: Uint8Array[] = [];
  const serving = (async () => {
    try {
      for await (const [bytes, from] of socket) {
        requests.push(bytes);
        const replies = behaviour(bytes, requests.length - 1, from as Deno.NetAddr);
        for (const reply of replies) await socket.send(reply, from);
      }
    } catch { /* closed */ }
  })();
  return {
    port: (socket.addr as Deno.NetAddr).port,
    requests,
    async [Symbol.asyncDispose]() {
      socket.close();
      await serving;
    },
  };
}

/** The fields of a PCP MAP request, as a fake server reads them. */
function readPcp(bytes: Uint8Array): PcpMapRequest | undefined {
  if (bytes[0] !== 2 || bytes.length !== 60) return undefined;
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    clientIp: Array.from(bytes.subarray(20, 24)).join("."),
    nonce: bytes.slice(24, 36),
    lifetimeSeconds: data.getUint32(4),
    internalPort: data.getUint16(40),
    externalPort: data.getUint16(42),
  };
}

/** A PCP server granting `lifetimeSeconds` on `externalPort(n)`. */
function pcpServer(lifetimeSeconds: number, externalPort = (_n: number) => 40000): Behaviour {
  return (bytes, n) => {
    const request = readPcp(bytes);
    if (!request) return [];
    const lifetime = request.lifetimeSeconds === 0 ? 0 : lifetimeSeconds;
    const granted = {
      lifetimeSeconds: lifetime,
      externalPort: externalPort(n),
      externalIp: EXTERNAL_IP,
    };
    return [pcpMapResponse(request, granted)];
  };
}

/** A NAT-PMP-only gateway: PCP requests get "unsupported version". */
const natPmpServer: Behaviour = (bytes) => {
  if (bytes[0] !== 0) return [natPmpResponse(bytes[1]! & 0x7f, 1, 10, new Uint8Array(0))];
  if (bytes[1] === 0) return [natPmpResponse(0, 0, 10, Uint8Array.from([203, 0, 113, 7]))];
  const fields = new Uint8Array(8);
  const data = new DataView(fields.buffer);
  data.setUint16(0, (bytes[4]! << 8) | bytes[5]!);
  data.setUint16(2, 41000);
  data.setUint32(4, 3600);
  return [natPmpResponse(1, 0, 10, fields)];
};

function options(port: number, more: Partial<PortMapperOptions> = {}): PortMapperOptions {
  return {
    internalPort: 4433,
    gateway: "127.0.0.1",
    gatewayPort: port,
    interfaces: LO,
    timeoutMs: 1000,
    protocols: ["pcp", "nat-pmp"],
    ...more,
  };
}

/** A mapper that `await using` stops. */
function mapper(opts: PortMapperOptions): PortMapper & AsyncDisposable {
  const m = new PortMapper(opts);
  return Object.assign(m, { [Symbol.asyncDispose]: () => m.stop() });
}

Deno.test("PortMapper maps by PCP and deletes the mapping on stop", async () => {
  await using gateway = fakeGateway(pcpServer(3600));
  const m = new PortMapper(options(gateway.port));
  const mapping = await m.start();
  assert.deepEqual({ ...mapping, expiresAt: 0 }, {
    protocol: "pcp",
    externalIp: EXTERNAL_IP,
    externalPort: 40000,
    internalPort: 4433,
    gateway: "127.0.0.1",
    expiresAt: 0,
  });
  assert.ok(mapping!.expiresAt > Date.now() + 3500_000);
  assert.equal(m.current, mapping);
  const asked = readPcp(gateway.requests[0]!)!;
  assert.equal(asked.clientIp, "127.0.0.1");
  assert.equal(asked.internalPort, 4433);
  await m.stop();
  const deleted = readPcp(gateway.requests.at(-1)!)!;
  assert.equal(deleted.lifetimeSeconds, 0);
  assert.deepEqual(deleted.nonce, asked.nonce);
  assert.equal(m.current, undefined);
});

Deno.test("PortMapper falls back to NAT-PMP at once when the gateway answers PCP with UNSUPP_VERSION", async () => {
  await using gateway = fakeGateway(natPmpServer);
  // PCP alone may take 35% of 3000 ms; the answer "unsupported version" must end it at once
  await using m = mapper(options(gateway.port, { timeoutMs: 3000 }));
  const started = performance.now();
  const mapping = await m.start();
  assert.ok(performance.now() - started < 800, "no waiting for PCP's timeout");
  assert.equal(mapping?.protocol, "nat-pmp");
  assert.equal(mapping?.externalIp, EXTERNAL_IP);
  assert.equal(mapping?.externalPort, 41000);
  await m.stop();
  const deleted = gateway.requests.at(-1)!;
  assert.deepEqual(Array.from(deleted), [0, 1, 0, 0, 0x11, 0x51, 0, 0, 0, 0, 0, 0]);
});

Deno.test("PortMapper renews at half the lifetime with the same nonce and reports a new external port", async () => {
  await using gateway = fakeGateway(pcpServer(2, (n) => 40000 + n));
  const changed = Promise.withResolvers<PortMapping | undefined>();
  await using m = mapper(options(gateway.port, { lifetimeSeconds: 2, onChange: changed.resolve }));
  const started = performance.now();
  assert.equal((await m.start())?.externalPort, 40000);
  const renewed = await changed.promise;
  const elapsed = performance.now() - started;
  assert.ok(elapsed > 900 && elapsed < 1800, `renewed after ${elapsed} ms`);
  assert.equal(renewed?.externalPort, 40001);
  assert.equal(m.current, renewed);
  assert.deepEqual(readPcp(gateway.requests[1]!)!.nonce, readPcp(gateway.requests[0]!)!.nonce);
  assert.equal(readPcp(gateway.requests[1]!)!.externalPort, 40000, "asks for the port it had");
});

Deno.test("PortMapper reports the loss of the mapping when the gateway stops answering", async () => {
  let answering = true;
  const grant = pcpServer(2);
  await using gateway = fakeGateway((bytes, n, from) => (answering ? grant(bytes, n, from) : []));
  const changed = Promise.withResolvers<PortMapping | undefined>();
  await using m = mapper(
    options(gateway.port, { lifetimeSeconds: 2, timeoutMs: 300, onChange: changed.resolve }),
  );
  assert.ok(await m.start());
  answering = false;
  assert.equal(await changed.promise, undefined);
  assert.equal(m.current, undefined);
});

Deno.test("Garbage, a wrong nonce and an impostor's right answer give no mapping and no throw", async () => {
  const impostor = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const honest = pcpServer(3600);
  await using gateway = fakeGateway((bytes, n, from) => {
    const request = readPcp(bytes);
    if (!request) return [crypto.getRandomValues(new Uint8Array(16))]; // NAT-PMP: garbage
    // the right answer, but from another port than the gateway's
    impostor.send(honest(bytes, n, from)[0]!, from).catch(() => {});
    const granted = { lifetimeSeconds: 3600, externalPort: 40000, externalIp: EXTERNAL_IP };
    const wrongNonce = pcpMapResponse({ ...request, nonce: new Uint8Array(12) }, granted);
    return [crypto.getRandomValues(new Uint8Array(60)), wrongNonce, bytes];
  });
  try {
    await using m = mapper(options(gateway.port, { timeoutMs: 600 }));
    const started = performance.now();
    assert.equal(await m.start(), undefined);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 900, `resolved after ${elapsed} ms`);
    assert.equal(m.current, undefined);
  } finally {
    impostor.close();
  }
});

Deno.test("A mapping to an unusable external address (loopback, 0.0.0.0) is not used", async () => {
  for (const externalIp of ["127.0.0.1", "0.0.0.0", "224.0.0.1"]) {
    await using gateway = fakeGateway((bytes) => {
      const request = readPcp(bytes);
      return request
        ? [pcpMapResponse(request, { lifetimeSeconds: 60, externalPort: 1, externalIp })]
        : [];
    });
    await using m = mapper(options(gateway.port, { timeoutMs: 300 }));
    assert.equal(await m.start(), undefined, externalIp);
  }
});

Deno.test("A silent gateway and a UPnP device that never answers: start resolves undefined in time", async () => {
  await using gateway = fakeGateway(() => []);
  const hanging = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    await hanging.promise;
    return new Response("late");
  });
  try {
    await using m = mapper(options(gateway.port, {
      timeoutMs: 500,
      protocols: ["pcp", "nat-pmp", "upnp"],
      upnpDescriptionUrl: `http://127.0.0.1:${server.addr.port}/rootDesc.xml`,
    }));
    const started = performance.now();
    assert.equal(await m.start(), undefined);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 450 && elapsed < 1000, `resolved after ${elapsed} ms`);
    assert.ok(
      gateway.requests.length >= 4,
      "PCP and NAT-PMP were both tried, with retransmissions",
    );
  } finally {
    hanging.resolve();
    await server.shutdown();
  }
});

const IGD_DESCRIPTION = `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>
<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><deviceList><device>
<deviceList><device><serviceList><service>
<serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>
<controlURL>CONTROL</controlURL></service></serviceList></device></deviceList></device></deviceList>
</device></root>`;

/** What the fake UPnP device does; `mappings` holds what it was asked to add. */
interface IgdBehaviour {
  /** The internal client it reports back; default the one asked for. */
  reportClient?: string;
  /** Answer AddPortMapping with a non-zero lease by this UPnP error. */
  refuseLease?: number;
  controlUrl?: string;
}

/** A UPnP gateway on 127.0.0.1 serving a description and the WANIPConnection SOAP actions. */
function fakeIgd(behaviour: IgdBehaviour = {}) {
  const calls: string[] = [];
  const mappings = new Map<string, { client: string; port: string; lease: string }>();
  const arg = (xml: string, name: string) =>
    xml.match(new RegExp(`<${name}>([^<]*)</${name}>`))?.[1] ?? "";
  const answer = (action: string, inner = "") =>
    new Response(
      `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>` +
        `<u:${action}Response xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">${inner}` +
        `</u:${action}Response></s:Body></s:Envelope>`,
    );
  const fault = (code: number) =>
    new Response(
      `<s:Envelope><s:Body><s:Fault><detail><UPnPError><errorCode>${code}</errorCode>` +
        `<errorDescription>refused</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`,
      { status: 500 },
    );
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    if (request.method === "GET") {
      return new Response(
        IGD_DESCRIPTION.replace("CONTROL", behaviour.controlUrl ?? "/ctl/IPConn"),
      );
    }
    const action = request.headers.get("soapaction")?.match(/#(\w+)"/)?.[1] ?? "";
    const body = await request.text();
    const port = arg(body, "NewExternalPort");
    calls.push(`${action} ${port}`);
    if (action === "GetExternalIPAddress") {
      return answer(action, `<NewExternalIPAddress>${EXTERNAL_IP}</NewExternalIPAddress>`);
    }
    if (action === "AddPortMapping") {
      const lease = arg(body, "NewLeaseDuration");
      if (behaviour.refuseLease && lease !== "0") return fault(behaviour.refuseLease);
      mappings.set(port, {
        client: arg(body, "NewInternalClient"),
        port: arg(body, "NewInternalPort"),
        lease,
      });
      return answer(action);
    }
    const mapping = mappings.get(port);
    if (!mapping) return fault(714);
    if (action === "DeletePortMapping") {
      mappings.delete(port);
      return answer(action);
    }
    return answer(
      action,
      `<NewInternalPort>${mapping.port}</NewInternalPort>` +
        `<NewInternalClient>${behaviour.reportClient ?? mapping.client}</NewInternalClient>` +
        `<NewEnabled>1</NewEnabled><NewLeaseDuration>${mapping.lease}</NewLeaseDuration>`,
    );
  });
  return {
    descriptionUrl: `http://127.0.0.1:${server.addr.port}/rootDesc.xml`,
    calls,
    mappings,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

function upnpOptions(
  descriptionUrl: string,
  more: Partial<PortMapperOptions> = {},
): PortMapperOptions {
  return {
    internalPort: 4433,
    interfaces: LO,
    timeoutMs: 1000,
    protocols: ["upnp"],
    upnpDescriptionUrl: descriptionUrl,
    ...more,
  };
}

Deno.test("PortMapper maps by UPnP, checks the mapping is ours, and deletes it on stop", async () => {
  await using igd = fakeIgd();
  const m = new PortMapper(upnpOptions(igd.descriptionUrl));
  const mapping = await m.start();
  assert.equal(mapping?.protocol, "upnp");
  assert.equal(mapping?.externalIp, EXTERNAL_IP);
  assert.equal(mapping?.externalPort, 4433);
  assert.equal(mapping?.gateway, "127.0.0.1");
  assert.deepEqual(igd.mappings.get("4433"), { client: "127.0.0.1", port: "4433", lease: "3600" });
  assert.deepEqual(igd.calls, [
    "GetExternalIPAddress ",
    "AddPortMapping 4433",
    "GetSpecificPortMappingEntry 4433",
  ]);
  await m.stop();
  assert.equal(igd.calls.at(-1), "DeletePortMapping 4433");
  assert.equal(igd.mappings.size, 0);
});

Deno.test("A UPnP mapping the gateway reports for another host is not used, nor deleted", async () => {
  await using igd = fakeIgd({ reportClient: "192.168.1.77" });
  const m = new PortMapper(upnpOptions(igd.descriptionUrl));
  assert.equal(await m.start(), undefined);
  await m.stop();
  assert.ok(!igd.calls.some((c) => c.startsWith("DeletePortMapping")));
});

Deno.test("A UPnP gateway that grants only permanent leases gets a permanent one", async () => {
  await using igd = fakeIgd({ refuseLease: 725 });
  await using m = mapper(upnpOptions(igd.descriptionUrl));
  const mapping = await m.start();
  assert.equal(mapping?.expiresAt, Infinity);
  assert.equal(igd.mappings.get("4433")?.lease, "0");
});

Deno.test("A UPnP description whose control URL is outside the LAN gives no mapping", async () => {
  await using igd = fakeIgd({ controlUrl: "http://203.0.113.5:5000/ctl/IPConn" });
  await using m = mapper(upnpOptions(igd.descriptionUrl));
  assert.equal(await m.start(), undefined);
  assert.deepEqual(igd.calls, []);
});

Deno.test("UPnP is used only when PCP and NAT-PMP give nothing", async () => {
  await using igd = fakeIgd();
  await using gateway = fakeGateway(pcpServer(3600));
  await using m = mapper(options(gateway.port, {
    protocols: ["pcp", "nat-pmp", "upnp"],
    upnpDescriptionUrl: igd.descriptionUrl,
  }));
  assert.equal((await m.start())?.protocol, "pcp");
  assert.deepEqual(igd.calls, []);
});

Deno.test("UPnP maps when the PCP and NAT-PMP gateway is silent, within the time", async () => {
  await using igd = fakeIgd();
  await using gateway = fakeGateway(() => []);
  await using m = mapper(options(gateway.port, {
    protocols: ["pcp", "nat-pmp", "upnp"],
    upnpDescriptionUrl: igd.descriptionUrl,
  }));
  const started = performance.now();
  assert.equal((await m.start())?.protocol, "upnp");
  assert.ok(performance.now() - started < 1000);
});

Deno.test("A UPnP mapping is renewed on the same external port at half its lifetime", async () => {
  await using igd = fakeIgd();
  const changed: (PortMapping | undefined)[] = [];
  await using m = mapper(
    upnpOptions(igd.descriptionUrl, { lifetimeSeconds: 2, onChange: (c) => changed.push(c) }),
  );
  assert.ok(await m.start());
  const renewed = Promise.withResolvers<void>();
  const poll = setInterval(() => {
    if (igd.calls.filter((c) => c === "AddPortMapping 4433").length === 2) renewed.resolve();
  }, 50);
  try {
    await renewed.promise;
  } finally {
    clearInterval(poll);
  }
  assert.deepEqual(changed, [], "the same mapping: nothing to report");
});
