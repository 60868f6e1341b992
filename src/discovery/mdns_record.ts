/**
 * Our mDNS (DNS-SD) records, built and parsed without I/O. A node announces a PTR record
 * `_harddrive-party._udp.local → <first 16 hex of key>._harddrive-party._udp.local` and a TXT
 * record on that instance with `v=1`, `a=<announce address>` and optionally `t=<ms>` and
 * `s=<base64 signature>` (see gossip_signature.ts). Packets come from anyone on the LAN: parsing
 * never throws and keeps only well-formed peers.
 */
import { toHex } from "../transport/mod.ts";
import { type AnnounceAddress, decodeAnnounceAddress } from "./announce_address.ts";

/** The DNS-SD service type of harddrive-party. */
export const MDNS_SERVICE = "_harddrive-party._udp.local";
/** How long others may cache our records, in seconds. */
export const MDNS_TTL = 120;

const SUFFIX = `.${MDNS_SERVICE}`;
const MAX_RECORDS = 64; // per section; a LAN never needs more, a hostile packet gets no more
const MAX_STRINGS = 16; // per TXT record
const MAX_STRING_BYTES = 255; // a DNS character-string cannot be longer
const decoder = new TextDecoder("utf-8", { fatal: true });

/** What we announce: our announce address, optionally signed at `time`. */
export interface MdnsAnnouncement {
  address: string;
  signature?: Uint8Array;
  time?: number;
}

/** A peer found in an mDNS packet. The signature is not checked here. */
export interface MdnsPeer {
  address: AnnounceAddress;
  /** The announce address as the peer sent it. */
  announce: string;
  signature?: Uint8Array;
  time?: number;
}

/** A resource record in the shape the `multicast-dns` library encodes. */
export interface MdnsRecord {
  name: string;
  type: "PTR" | "TXT";
  ttl: number;
  data: string | string[];
}

/** The instance name of a node: the first 16 hex digits of its key under our service type. */
export function instanceName(publicKey: Uint8Array): string {
  return `${toHex(publicKey).slice(0, 16)}${SUFFIX}`;
}

/** The records that answer a query for our service: a PTR to our instance and its TXT. */
export function buildMdnsRecords(announcement: MdnsAnnouncement): MdnsRecord[] {
  const address = decodeAnnounceAddress(announcement.address);
  const name = instanceName(address.publicKey);
  const txt = ["v=1", `a=${announcement.address.replace(/\s+/g, "")}`];
  if (announcement.signature !== undefined && announcement.time !== undefined) {
    txt.push(`t=${announcement.time}`, `s=${toBase64(announcement.signature)}`);
  }
  return [
    { name: MDNS_SERVICE, type: "PTR", ttl: MDNS_TTL, data: name },
    { name, type: "TXT", ttl: MDNS_TTL, data: txt },
  ];
}

/** Tells whether a decoded packet is a query that asks for our service (PTR or ANY). */
export function isMdnsQueryForUs(packet: unknown): boolean {
  try {
    if (!isObject(packet) || packet.type !== "query") return false;
    return list(packet.questions).some((q) =>
      isObject(q) && typeof q.name === "string" && sameName(q.name, MDNS_SERVICE) &&
      (q.type === "PTR" || q.type === "ANY")
    );
  } catch {
    return false;
  }
}

/**
 * The peers announced in a decoded packet (`{answers, additionals}` as `multicast-dns` gives it),
 * at most one per announce address. Anything malformed is skipped; this never throws.
 */
export function parseMdnsResponse(packet: unknown): MdnsPeer[] {
  const peers = new Map<string, MdnsPeer>();
  try {
    if (!isObject(packet)) return [];
    for (const record of [...list(packet.answers), ...list(packet.additionals)]) {
      const peer = parseRecord(record);
      if (peer && !peers.has(peer.announce)) peers.set(peer.announce, peer);
    }
  } catch {
    // A hostile object (a throwing getter, a Proxy): keep what was found before it.
  }
  return [...peers.values()];
}

function parseRecord(record: unknown): MdnsPeer | undefined {
  try {
    if (!isObject(record) || record.type !== "TXT" || typeof record.name !== "string") return;
    const name = record.name.replace(/\.$/, "").toLowerCase();
    if (!name.endsWith(SUFFIX)) return;
    const fields = txtFields(record.data);
    const announce = fields.get("a");
    if (fields.get("v") !== "1" || announce === undefined) return;
    const address = decodeAnnounceAddress(announce);
    if (name !== instanceName(address.publicKey)) return;
    const peer: MdnsPeer = { address, announce };
    const [time, signature] = [fields.get("t"), fields.get("s")];
    if (time === undefined && signature === undefined) return peer;
    if (time === undefined || signature === undefined) return;
    const parsedTime = parseTime(time);
    const parsedSignature = fromBase64(signature);
    if (parsedTime === undefined || parsedSignature === undefined) return;
    return { ...peer, time: parsedTime, signature: parsedSignature };
  } catch {
    return undefined; // decodeAnnounceAddress refused it, or the record is hostile
  }
}

/** `key=value` strings of TXT data; the first of a repeated key wins (RFC 6763 section 6.4). */
function txtFields(data: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  const strings = Array.isArray(data) ? data.slice(0, MAX_STRINGS) : [data];
  for (const item of strings) {
    const text = txtString(item);
    if (text === undefined) continue;
    const at = text.indexOf("=");
    if (at <= 0) continue;
    const key = text.slice(0, at).toLowerCase();
    if (!fields.has(key)) fields.set(key, text.slice(at + 1));
  }
  return fields;
}

function txtString(item: unknown): string | undefined {
  if (typeof item === "string") return item.length <= MAX_STRING_BYTES ? item : undefined;
  if (!(item instanceof Uint8Array) || item.length > MAX_STRING_BYTES) return undefined;
  try {
    return decoder.decode(item);
  } catch {
    return undefined;
  }
}

function parseTime(text: string): number | undefined {
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const time = Number(text);
  return Number.isSafeInteger(time) ? time : undefined;
}

function fromBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]{86}==$/.test(text)) return undefined; // exactly 64 bytes
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function sameName(a: string, b: string): boolean {
  return a.replace(/\.$/, "").toLowerCase() === b.toLowerCase();
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value.slice(0, MAX_RECORDS) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
