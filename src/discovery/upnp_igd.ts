/**
 * A UPnP Internet Gateway Device client: reads the device description, finds the WAN connection
 * service, and calls its SOAP actions (external address, add, read back and delete a UDP port
 * mapping). The XML and SOAP text builders and parsers are pure; every fetch is bounded in size
 * and time, refuses redirects, and never leaves the host of the description.
 */
import { type ErrorCode, HdpError, hdpError } from "../wire/mod.ts";

/** Service types that map ports, most capable first. */
export const WAN_SERVICE_TYPES = [
  "urn:schemas-upnp-org:service:WANIPConnection:2",
  "urn:schemas-upnp-org:service:WANIPConnection:1",
  "urn:schemas-upnp-org:service:WANPPPConnection:1",
] as const;

/** The most a description or a SOAP answer may weigh. */
export const MAX_UPNP_BYTES = 64 * 1024;

/** A WAN connection service of a gateway: where to send SOAP and what to call it. */
export interface IgdService {
  serviceType: string;
  controlUrl: URL;
}

/** One port mapping as the gateway reports it. */
export interface UpnpPortMappingEntry {
  internalClient: string;
  internalPort: number;
  enabled: boolean;
  leaseSeconds: number;
}

/** What a SOAP action answered: the output arguments, or the UPnP error of a fault. */
export type SoapOutcome =
  | { ok: true; values: Record<string, string> }
  | { ok: false; upnpError: number; description: string };

/** UPnP error 718: the external port is mapped to another client already. */
export const UPNP_CONFLICT = 718;
/** UPnP error 725: the gateway grants only permanent (lease 0) mappings. */
export const UPNP_ONLY_PERMANENT = 725;

/**
 * Finds the WAN connection service in a device description fetched from `descriptionUrl`; its
 * control URL must be on the description's host (or it is ignored).
 */
export function parseIgdDescription(xml: string, descriptionUrl: URL): IgdService | undefined {
  const base = resolveOnHost(elementTexts(xml, "URLBase")[0]?.trim() ?? "", descriptionUrl) ??
    descriptionUrl;
  const services = elementTexts(xml, "service").map((block) => ({
    serviceType: decodeXml(elementTexts(block, "serviceType")[0] ?? "").trim(),
    controlUrl: resolveOnHost(decodeXml(elementTexts(block, "controlURL")[0] ?? "").trim(), base),
  }));
  for (const type of WAN_SERVICE_TYPES) {
    const found = services.find((s) => s.serviceType === type && s.controlUrl);
    if (found?.controlUrl) return { serviceType: found.serviceType, controlUrl: found.controlUrl };
  }
  return undefined;
}

/** The SOAP envelope that calls `action` of `serviceType` with `args`, in order. */
export function soapEnvelope(
  serviceType: string,
  action: string,
  args: [string, string | number][] = [],
): string {
  const body = args.map(([name, value]) => `<${name}>${encodeXml(String(value))}</${name}>`).join(
    "",
  );
  return '<?xml version="1.0"?>\r\n' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ' +
    's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>' +
    `<u:${action} xmlns:u="${encodeXml(serviceType)}">${body}</u:${action}>` +
    "</s:Body></s:Envelope>\r\n";
}

/** Parses the answer to `action`: its output arguments, or the UPnP error of a fault. */
export function parseSoapAnswer(xml: string, action: string): SoapOutcome {
  const fault = elementTexts(xml, "UPnPError")[0];
  if (fault !== undefined) {
    const code = Number(elementTexts(fault, "errorCode")[0]?.trim());
    const description = decodeXml(elementTexts(fault, "errorDescription")[0] ?? "").trim();
    return { ok: false, upnpError: Number.isInteger(code) ? code : 0, description };
  }
  const response = elementTexts(xml, `${action}Response`)[0];
  if (response === undefined) {
    throw hdpError("PROTOCOL", `Not a valid UPnP answer: no ${action}Response`);
  }
  const values: Record<string, string> = {};
  for (const [name, inner] of childElements(response)) values[name] = decodeXml(inner).trim();
  return { ok: true, values };
}

/** Reads a GetSpecificPortMappingEntry answer's values into a typed entry. */
export function parsePortMappingEntry(values: Record<string, string>): UpnpPortMappingEntry {
  const internalPort = Number(values["NewInternalPort"]);
  const leaseSeconds = Number(values["NewLeaseDuration"] ?? "0");
  const internalClient = values["NewInternalClient"] ?? "";
  if (!Number.isInteger(internalPort) || internalPort < 1 || internalPort > 65535) {
    throw hdpError(
      "PROTOCOL",
      `Not a valid UPnP port mapping: internal port "${values["NewInternalPort"]}"`,
    );
  }
  if (!internalClient) {
    throw hdpError("PROTOCOL", "Not a valid UPnP port mapping: no internal client");
  }
  return {
    internalClient,
    internalPort,
    enabled: values["NewEnabled"] !== "0",
    leaseSeconds: Number.isInteger(leaseSeconds) && leaseSeconds >= 0 ? leaseSeconds : 0,
  };
}

/** The coded error of a UPnP fault: 718 `CONFLICT`, 606 `FORBIDDEN`, 728 `BUSY`, else `UNAVAILABLE`. */
export function upnpFaultError(action: string, upnpError: number, description: string): HdpError {
  const codes: Record<number, ErrorCode> = { 606: "FORBIDDEN", 718: "CONFLICT", 728: "BUSY" };
  const code = codes[upnpError] ?? "UNAVAILABLE";
  return hdpError(
    code,
    `The gateway refused ${action}: UPnP error ${upnpError} ${description}`.trim(),
  );
}

/** How long each request may take. */
export interface UpnpCallOptions {
  signal?: AbortSignal;
  /** Per request, default 2000. */
  timeoutMs?: number;
}

/** Fetches the description at `url` and finds its WAN connection service. */
export async function fetchIgdService(
  url: URL,
  options: UpnpCallOptions = {},
): Promise<IgdService> {
  const xml = await boundedFetch(url, { method: "GET" }, options);
  const service = parseIgdDescription(xml, url);
  if (!service) {
    throw hdpError(
      "UNSUPPORTED",
      `The UPnP device at ${url.host} has no WAN connection service on its own host`,
    );
  }
  return service;
}

/** Calls `action` of `service`; a fault comes back as an outcome, anything else wrong throws. */
export async function soapCall(
  service: IgdService,
  action: string,
  args: [string, string | number][],
  options: UpnpCallOptions = {},
): Promise<SoapOutcome> {
  const xml = await boundedFetch(
    service.controlUrl,
    {
      method: "POST",
      headers: {
        "content-type": 'text/xml; charset="utf-8"',
        soapaction: `"${service.serviceType}#${action}"`,
      },
      body: soapEnvelope(service.serviceType, action, args),
    },
    options,
    true,
  );
  return parseSoapAnswer(xml, action);
}

/** The gateway's external IPv4 address. */
export async function getExternalIp(
  service: IgdService,
  options: UpnpCallOptions = {},
): Promise<string> {
  const values = await succeed(service, "GetExternalIPAddress", [], options);
  return values["NewExternalIPAddress"] ?? "";
}

/** What {@link addPortMapping} asks for. */
export interface UpnpMappingRequest {
  externalPort: number;
  internalPort: number;
  internalClient: string;
  /** 0: permanent. */
  leaseSeconds: number;
  description: string;
}

/** Adds (or refreshes) a UDP port mapping; a fault is an outcome (718: taken; 725: lease 0 only). */
export async function addPortMapping(
  service: IgdService,
  request: UpnpMappingRequest,
  options: UpnpCallOptions = {},
): Promise<SoapOutcome> {
  return await soapCall(service, "AddPortMapping", [
    ["NewRemoteHost", ""],
    ["NewExternalPort", request.externalPort],
    ["NewProtocol", "UDP"],
    ["NewInternalPort", request.internalPort],
    ["NewInternalClient", request.internalClient],
    ["NewEnabled", 1],
    ["NewPortMappingDescription", request.description],
    ["NewLeaseDuration", request.leaseSeconds],
  ], options);
}

/** Reads back the UDP mapping of `externalPort`. */
export async function getPortMapping(
  service: IgdService,
  externalPort: number,
  options: UpnpCallOptions = {},
): Promise<UpnpPortMappingEntry> {
  const values = await succeed(service, "GetSpecificPortMappingEntry", [
    ["NewRemoteHost", ""],
    ["NewExternalPort", externalPort],
    ["NewProtocol", "UDP"],
  ], options);
  return parsePortMappingEntry(values);
}

/** Deletes the UDP mapping of `externalPort`. */
export async function deletePortMapping(
  service: IgdService,
  externalPort: number,
  options: UpnpCallOptions = {},
): Promise<void> {
  await succeed(service, "DeletePortMapping", [
    ["NewRemoteHost", ""],
    ["NewExternalPort", externalPort],
    ["NewProtocol", "UDP"],
  ], options);
}

async function succeed(
  service: IgdService,
  action: string,
  args: [string, string | number][],
  options: UpnpCallOptions,
): Promise<Record<string, string>> {
  const outcome = await soapCall(service, action, args, options);
  if (!outcome.ok) throw upnpFaultError(action, outcome.upnpError, outcome.description);
  return outcome.values;
}

/** Fetches text, at most {@link MAX_UPNP_BYTES}, no redirects; `faultsOk`: a 500 is read too. */
async function boundedFetch(
  url: URL,
  init: RequestInit,
  options: UpnpCallOptions,
  faultsOk = false,
): Promise<string> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 2000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: "manual", signal });
  } catch (error) {
    const code = timeout.aborted ? "TIMEOUT" : "UNAVAILABLE";
    throw hdpError(code, `Cannot reach the UPnP device at ${url.host}`, error);
  }
  if (!response.ok && !(faultsOk && response.status === 500)) {
    await response.body?.cancel();
    throw hdpError(
      "UNAVAILABLE",
      `The UPnP device at ${url.host} answered HTTP ${response.status}`,
    );
  }
  return await readBounded(response, url, signal);
}

async function readBounded(response: Response, url: URL, signal: AbortSignal): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      if (signal.aborted) throw hdpError("TIMEOUT", `The UPnP device at ${url.host} is too slow`);
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_UPNP_BYTES) {
        throw hdpError("TOO_LARGE", `The UPnP device at ${url.host} sent more than 64 KiB`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof HdpError) throw error;
    throw hdpError("UNAVAILABLE", `Cannot read from the UPnP device at ${url.host}`, error);
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}

/** `text` resolved against `base`, when it lands on the same host and is http. */
function resolveOnHost(text: string, base: URL): URL | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text, base);
    return url.protocol === "http:" && url.hostname === base.hostname && !url.username
      ? url
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The inner text of every element named `localName` (any namespace prefix; `<x/>` is empty, as
 * miniupnpd answers AddPortMapping). Elements of one name do not nest in the documents read
 * here, so the first closing tag ends each.
 */
function elementTexts(xml: string, localName: string): string[] {
  const found: string[] = [];
  const open = new RegExp(`<(?:[\\w.-]+:)?${localName}(?:\\s[^>]*?)?(/?)>`, "g");
  const close = new RegExp(`</(?:[\\w.-]+:)?${localName}\\s*>`, "g");
  for (let match = open.exec(xml); match; match = open.exec(xml)) {
    if (match[1] === "/") {
      found.push("");
      continue;
    }
    close.lastIndex = open.lastIndex;
    const end = close.exec(xml);
    if (!end) break;
    found.push(xml.slice(open.lastIndex, end.index));
    open.lastIndex = close.lastIndex;
  }
  return found;
}

/** The direct children of an element's inner text, as [local name, inner text]. */
function childElements(xml: string): [string, string][] {
  const children: [string, string][] = [];
  const tag = /<(?:[\w.-]+:)?([\w.-]+)(?:\s[^>]*)?(\/?)>/g;
  for (let match = tag.exec(xml); match; match = tag.exec(xml)) {
    const name = match[1]!;
    if (match[2] === "/") {
      children.push([name, ""]);
      continue;
    }
    const close = new RegExp(`</(?:[\\w.-]+:)?${name.replace(/\./g, "\\.")}\\s*>`, "g");
    close.lastIndex = tag.lastIndex;
    const end = close.exec(xml);
    if (!end) break;
    children.push([name, xml.slice(tag.lastIndex, end.index)]);
    tag.lastIndex = close.lastIndex;
  }
  return children;
}

function encodeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

function decodeXml(text: string): string {
  return text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, "$1")
    .replace(
      /&(lt|gt|quot|apos|amp);/g,
      (_, name: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[name] ?? "",
    );
}
