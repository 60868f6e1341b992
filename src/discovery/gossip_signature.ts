/**
 * Signed announce addresses: a peer signs its own address and the time, so nobody can gossip a
 * false address for somebody else. Signed bytes: `"hdp-announce-v1" ‖ utf8(address) ‖ time`, the
 * address in its canonical form (compact, lower case) and the time as 8 bytes big-endian ms. A peer
 * that asks not to be passed on signs under {@link UNLISTED_CONTEXT} instead, so that nobody on the
 * way can drop the request (or add it) without breaking the signature.
 */
import { type Identity, toHex, verifySignature } from "../transport/mod.ts";
import { hdpError } from "../wire/mod.ts";
import {
  type AnnounceAddress,
  decodeAnnounceAddress,
  encodeAnnounceAddress,
} from "./announce_address.ts";

/** The domain separator in front of every signed announcement. */
export const ANNOUNCE_CONTEXT = "hdp-announce-v1";
/** The domain separator of an announcement whose peer asks not to be passed on. */
export const UNLISTED_CONTEXT = "hdp-announce-unlisted-v1";

/** Whether the peer asks not to be passed on (`--no-gossip-me`). */
export interface AnnouncementOptions {
  unlisted?: boolean;
}
/** How old an announcement may be by default: 24 hours. */
export const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/**
 * How far ahead of our clock an announcement may be: 15 hours. Home machines' clocks are often off
 * by a whole time zone (a dual-boot PC whose hardware clock keeps local time, a time zone set
 * wrongly), and time zones reach from UTC-12 to UTC+14; the hour on top covers drift and summer
 * time. A clock behind ours makes announcements look older, which the 24 h age already allows.
 * Replays stay bounded: an announcement is refused once it is older than the age limit.
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 60 * 1000;

const encoder = new TextEncoder();

/**
 * Signs `address` (the identity's own) as valid at `time` (ms since the epoch); the 64-byte
 * ed25519 signature. Refuses an address of another key or a bad time with `BAD_REQUEST`.
 */
export async function signAnnouncement(
  identity: Identity,
  address: string,
  time: number,
  options: AnnouncementOptions = {},
): Promise<Uint8Array> {
  const decoded = decodeAnnounceAddress(address);
  if (toHex(decoded.publicKey) !== toHex(identity.publicKey)) {
    throw hdpError("BAD_REQUEST", "Cannot sign an announce address: it describes another key");
  }
  return await identity.sign(signedBytes(decoded, checkTime(time), options));
}

/**
 * Checks that `signature` was made by the key inside `address` for `time`, and that `time` is
 * neither older than `maxAgeMs` nor more than {@link MAX_CLOCK_SKEW_MS} ahead of `now`. Returns the decoded
 * address; throws `BAD_REQUEST` for malformed input and `UNAUTHORIZED` for a false, stale or
 * future announcement.
 */
export async function verifyAnnouncement(
  address: string,
  time: number,
  signature: Uint8Array,
  now: number,
  options: AnnouncementOptions & { maxAgeMs?: number } = {},
): Promise<AnnounceAddress> {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const decoded = decodeAnnounceAddress(address);
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    throw hdpError("BAD_REQUEST", "Not a valid announcement signature: it must be 64 bytes");
  }
  checkTime(time);
  if (time < now - maxAgeMs) {
    throw hdpError("UNAUTHORIZED", `Announcement refused: it is ${ageText(now - time)} old`);
  }
  if (time > now + MAX_CLOCK_SKEW_MS) {
    throw hdpError("UNAUTHORIZED", `Announcement refused: it is ${ageText(time - now)} ahead`);
  }
  if (!await verifySignature(decoded.publicKey, signedBytes(decoded, time, options), signature)) {
    throw hdpError("UNAUTHORIZED", "Announcement refused: not signed by the peer it describes");
  }
  return decoded;
}

function signedBytes(
  address: AnnounceAddress,
  time: number,
  options: AnnouncementOptions,
): Uint8Array {
  const context = encoder.encode(options.unlisted ? UNLISTED_CONTEXT : ANNOUNCE_CONTEXT);
  const text = encoder.encode(encodeAnnounceAddress(address));
  const bytes = new Uint8Array(context.length + text.length + 8);
  bytes.set(context);
  bytes.set(text, context.length);
  new DataView(bytes.buffer).setBigUint64(context.length + text.length, BigInt(time));
  return bytes;
}

function checkTime(time: number): number {
  if (!Number.isSafeInteger(time) || time < 0) {
    throw hdpError("BAD_REQUEST", `Not a valid announcement time: ${time}`);
  }
  return time;
}

/** A clock offset for the log: `+3 h` ahead of ours, `-40 s` behind. */
export function offsetText(ms: number): string {
  return `${ms < 0 ? "-" : "+"}${ageText(Math.abs(ms))}`;
}

function ageText(ms: number): string {
  return ms >= 3_600_000 ? `${Math.round(ms / 3_600_000)} h` : `${Math.round(ms / 1000)} s`;
}
