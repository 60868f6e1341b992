import assert from "node:assert/strict";
import { discoverIgd, parseSsdpAnswer, ssdpSearchRequest, trustedLocation } from "./ssdp.ts";

const ANSWER = [
  "HTTP/1.1 200 OK",
  "CACHE-CONTROL: max-age=120",
  "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1",
  "USN: uuid:abc::urn:schemas-upnp-org:device:InternetGatewayDevice:1",
  "EXT:",
  "SERVER: OpenWRT/OpenWrt UPnP/1.1 MiniUPnPd/2.3.3",
  "Location: http://192.168.1.1:5000/rootDesc.xml",
  "",
  "",
].join("\r\n");

Deno.test("An M-SEARCH asks the SSDP group for one search target", () => {
  assert.equal(
    ssdpSearchRequest("urn:schemas-upnp-org:service:WANIPConnection:1", 2),
    'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\n' +
      "ST: urn:schemas-upnp-org:service:WANIPConnection:1\r\n\r\n",
  );
});

Deno.test("An SSDP answer gives its location and search target, headers in any case", () => {
  assert.deepEqual(parseSsdpAnswer(ANSWER), {
    location: "http://192.168.1.1:5000/rootDesc.xml",
    st: "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
  });
  assert.equal(parseSsdpAnswer(ANSWER.replace("200 OK", "404 Not Found")), undefined);
  assert.equal(parseSsdpAnswer(ANSWER.replace(/Location:.*\r\n/, "")), undefined);
  assert.equal(parseSsdpAnswer("NOTIFY * HTTP/1.1\r\nLOCATION: http://x/\r\nST: a\r\n"), undefined);
  assert.equal(parseSsdpAnswer("\u0000garbage"), undefined);
});

Deno.test("A location is trusted only on the LAN address of the device that answered", () => {
  const url = "http://192.168.1.1:5000/rootDesc.xml";
  assert.equal(trustedLocation(url, "192.168.1.1")?.href, url);
  assert.equal(trustedLocation(url, "192.168.1.66"), undefined, "another host than the sender");
  assert.equal(trustedLocation("http://93.184.216.34/d.xml", "93.184.216.34"), undefined);
  assert.equal(trustedLocation("http://router.example/d.xml", "192.168.1.1"), undefined);
  assert.equal(trustedLocation("https://192.168.1.1/d.xml", "192.168.1.1"), undefined);
  assert.equal(trustedLocation("http://u:p@192.168.1.1/d.xml", "192.168.1.1"), undefined);
  assert.equal(trustedLocation("not a url", "192.168.1.1"), undefined);
});

Deno.test("Discovery takes the first answer with a trusted location and skips the others", async () => {
  const device = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const answering = (async () => {
    const [, from] = await device.receive();
    const answer = (location: string) =>
      new TextEncoder().encode(ANSWER.replace(/http:\S+/, location));
    await device.send(answer("http://203.0.113.9/evil.xml"), from);
    await device.send(new TextEncoder().encode("garbage"), from);
    await device.send(answer("http://127.0.0.1:4999/rootDesc.xml"), from);
  })();
  try {
    const url = await discoverIgd({ target: device.addr as Deno.NetAddr, timeoutMs: 1000 });
    assert.equal(url?.href, "http://127.0.0.1:4999/rootDesc.xml");
  } finally {
    await answering;
    device.close();
  }
});

Deno.test("Discovery with nobody answering resolves undefined when its time is up", async () => {
  const device = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const started = performance.now();
    assert.equal(
      await discoverIgd({ target: device.addr as Deno.NetAddr, timeoutMs: 300 }),
      undefined,
    );
    assert.ok(performance.now() - started < 1000);
  } finally {
    device.close();
  }
});
