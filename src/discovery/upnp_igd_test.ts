import assert from "node:assert/strict";
import { HdpError } from "../wire/mod.ts";
import {
  fetchIgdService,
  getExternalIp,
  type IgdService,
  parseIgdDescription,
  parsePortMappingEntry,
  parseSoapAnswer,
  soapCall,
  soapEnvelope,
  upnpFaultError,
} from "./upnp_igd.ts";

const DESCRIPTION = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
<controlURL>/ctl/L3F</controlURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
<serviceList>
<service>
  <serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType>
  <controlURL>/ctl/PPP</controlURL>
</service>
<service>
  <serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>
  <serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
  <controlURL>/ctl/IPConn</controlURL>
  <eventSubURL>/evt/IPConn</eventSubURL>
</service>
</serviceList></device></deviceList></device></deviceList></device></root>`;

const BASE = new URL("http://192.168.1.1:5000/rootDesc.xml");

function throwsCode(error: unknown, code: string, why: RegExp): true {
  assert.ok(error instanceof HdpError, String(error));
  assert.equal(error.code, code);
  assert.match(error.message, why);
  return true;
}

Deno.test("A description gives its WANIPConnection control URL, resolved on its host", () => {
  const service = parseIgdDescription(DESCRIPTION, BASE);
  assert.equal(service?.serviceType, "urn:schemas-upnp-org:service:WANIPConnection:1");
  assert.equal(service?.controlUrl.href, "http://192.168.1.1:5000/ctl/IPConn");
});

Deno.test("WANIPConnection:2 is preferred, and WANPPPConnection:1 is the last resort", () => {
  const v2 = DESCRIPTION.replace("WANIPConnection:1", "WANIPConnection:2");
  assert.equal(
    parseIgdDescription(v2, BASE)?.serviceType,
    "urn:schemas-upnp-org:service:WANIPConnection:2",
  );
  const ppp = DESCRIPTION.replace("WANIPConnection:1", "Other:1");
  assert.equal(parseIgdDescription(ppp, BASE)?.controlUrl.pathname, "/ctl/PPP");
  assert.equal(parseIgdDescription("<root/>", BASE), undefined);
  assert.equal(parseIgdDescription("\u0000<service><serviceType>", BASE), undefined);
});

Deno.test("A control URL or URLBase on another host than the description's is not used", () => {
  const elsewhere = DESCRIPTION.replace("/ctl/IPConn", "http://203.0.113.5/ctl")
    .replace("/ctl/PPP", "//evil.example/ctl");
  assert.equal(parseIgdDescription(elsewhere, BASE), undefined);
  const urlBase = DESCRIPTION.replace("<device>", "<URLBase>http://10.9.9.9:80/</URLBase><device>");
  assert.equal(
    parseIgdDescription(urlBase, BASE)?.controlUrl.href,
    "http://192.168.1.1:5000/ctl/IPConn",
  );
  const sameHost = DESCRIPTION.replace(
    "<device>",
    "<URLBase>http://192.168.1.1:49152/</URLBase><device>",
  );
  assert.equal(
    parseIgdDescription(sameHost, BASE)?.controlUrl.href,
    "http://192.168.1.1:49152/ctl/IPConn",
  );
});

Deno.test("A SOAP envelope names the service and action and escapes its arguments", () => {
  assert.equal(
    soapEnvelope("urn:schemas-upnp-org:service:WANIPConnection:1", "DeletePortMapping", [
      ["NewRemoteHost", ""],
      ["NewExternalPort", 4433],
      ["NewPortMappingDescription", "a<b&c"],
    ]),
    '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ' +
      's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>' +
      '<u:DeletePortMapping xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">' +
      "<NewRemoteHost></NewRemoteHost><NewExternalPort>4433</NewExternalPort>" +
      "<NewPortMappingDescription>a&lt;b&amp;c</NewPortMappingDescription>" +
      "</u:DeletePortMapping></s:Body></s:Envelope>\r\n",
  );
});

Deno.test("A SOAP answer gives its output arguments, whatever the namespace prefixes", () => {
  const xml = `<?xml version="1.0"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="x"><SOAP-ENV:Body>
    <m:GetSpecificPortMappingEntryResponse xmlns:m="urn:schemas-upnp-org:service:WANIPConnection:1">
    <NewInternalPort>4433</NewInternalPort><NewInternalClient>192.168.1.20</NewInternalClient>
    <NewEnabled>1</NewEnabled><NewPortMappingDescription>hdp &amp; co</NewPortMappingDescription>
    <NewLeaseDuration>3599</NewLeaseDuration><NewRemoteHost/></m:GetSpecificPortMappingEntryResponse>
    </SOAP-ENV:Body></SOAP-ENV:Envelope>`;
  const outcome = parseSoapAnswer(xml, "GetSpecificPortMappingEntry");
  assert.ok(outcome.ok);
  assert.equal(outcome.values["NewPortMappingDescription"], "hdp & co");
  assert.equal(outcome.values["NewRemoteHost"], "");
  assert.deepEqual(parsePortMappingEntry(outcome.values), {
    internalClient: "192.168.1.20",
    internalPort: 4433,
    enabled: true,
    leaseSeconds: 3599,
  });
});

Deno.test("An empty SOAP answer may be one self-closing element, as miniupnpd sends it", () => {
  const xml =
    '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ' +
    's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:AddPortMappingResponse ' +
    'xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:2"/></s:Body></s:Envelope>';
  assert.deepEqual(parseSoapAnswer(xml, "AddPortMapping"), { ok: true, values: {} });
});

Deno.test("A SOAP fault gives its UPnP error code, and codes become coded errors", () => {
  const fault = `<s:Envelope><s:Body><s:Fault><faultcode>s:Client</faultcode><detail>
    <UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>718</errorCode>
    <errorDescription>ConflictInMappingEntry</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`;
  assert.deepEqual(parseSoapAnswer(fault, "AddPortMapping"), {
    ok: false,
    upnpError: 718,
    description: "ConflictInMappingEntry",
  });
  throwsCode(upnpFaultError("AddPortMapping", 718, "ConflictInMappingEntry"), "CONFLICT", /718/);
  throwsCode(upnpFaultError("AddPortMapping", 606, "Action not authorized"), "FORBIDDEN", /606/);
  throwsCode(upnpFaultError("AddPortMapping", 501, "Action Failed"), "UNAVAILABLE", /501/);
});

Deno.test("A SOAP answer without the action's response, or a bad entry, is a PROTOCOL error", () => {
  assert.throws(
    () => parseSoapAnswer("<html>hello</html>", "AddPortMapping"),
    (e) => throwsCode(e, "PROTOCOL", /AddPortMappingResponse/),
  );
  assert.throws(
    () => parsePortMappingEntry({ NewInternalPort: "x", NewInternalClient: "1.2.3.4" }),
    (e) => throwsCode(e, "PROTOCOL", /internal port/),
  );
  assert.throws(
    () => parsePortMappingEntry({ NewInternalPort: "4433" }),
    (e) => throwsCode(e, "PROTOCOL", /internal client/),
  );
});

/** A web server on 127.0.0.1 that answers with `handler`. */
function fakeDevice(handler: (request: Request) => Response | Promise<Response>) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  return {
    url: (path: string) => new URL(`http://127.0.0.1:${server.addr.port}${path}`),
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

Deno.test("The client fetches the description and calls SOAP with the action header", async () => {
  const seen: string[] = [];
  await using device = fakeDevice(async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/rootDesc.xml") return new Response(DESCRIPTION);
    seen.push(`${request.headers.get("soapaction")} ${await request.text()}`);
    return new Response(
      `<s:Envelope><s:Body><u:GetExternalIPAddressResponse xmlns:u="x"><NewExternalIPAddress>203.0.113.7</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>`,
    );
  });
  const service = await fetchIgdService(device.url("/rootDesc.xml"));
  assert.equal(service.controlUrl.href, device.url("/ctl/IPConn").href);
  assert.equal(await getExternalIp(service), "203.0.113.7");
  assert.match(
    seen[0]!,
    /^"urn:schemas-upnp-org:service:WANIPConnection:1#GetExternalIPAddress" <\?xml/,
  );
});

Deno.test("The client refuses a description over 64 KiB, a redirect, an HTTP error and a slow device", async () => {
  await using device = fakeDevice(async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/big") return new Response("<root>" + "x".repeat(70_000));
    if (path === "/redirect") return Response.redirect("http://203.0.113.1/desc.xml", 302);
    if (path === "/slow") await new Promise((resolve) => setTimeout(resolve, 500));
    return new Response("no", { status: 404 });
  });
  await assert.rejects(
    fetchIgdService(device.url("/big")),
    (e) => throwsCode(e, "TOO_LARGE", /64 KiB/),
  );
  await assert.rejects(
    fetchIgdService(device.url("/redirect")),
    (e) => throwsCode(e, "UNAVAILABLE", /HTTP 302/),
  );
  await assert.rejects(
    fetchIgdService(device.url("/nothing")),
    (e) => throwsCode(e, "UNAVAILABLE", /HTTP 404/),
  );
  await assert.rejects(
    fetchIgdService(device.url("/slow"), { timeoutMs: 200 }),
    (e) => throwsCode(e, "TIMEOUT", /UPnP device/),
  );
});

Deno.test("A SOAP fault over HTTP 500 comes back as an outcome, not a throw", async () => {
  await using device = fakeDevice(() =>
    new Response(
      "<s:Envelope><s:Body><s:Fault><detail><UPnPError><errorCode>725</errorCode><errorDescription>OnlyPermanentLeasesSupported</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>",
      { status: 500 },
    )
  );
  const service: IgdService = { serviceType: "urn:x", controlUrl: device.url("/ctl") };
  assert.deepEqual(await soapCall(service, "AddPortMapping", []), {
    ok: false,
    upnpError: 725,
    description: "OnlyPermanentLeasesSupported",
  });
});
