/**
 * The public face of src/discovery/: STUN and the NAT type, announce addresses, gossip, mDNS, the
 * punch decision.
 */
export { encodeAnnounceAddress } from "./announce_address.ts";
export { Connectivity } from "./connectivity.ts";
export { dialAnnounced } from "./dial_announced.ts";
export { signAnnouncement } from "./gossip_signature.ts";
export { localAddresses } from "./local_addresses.ts";
export { startMdns } from "./mdns.ts";
export type { NatType } from "./nat_type.ts";
export { learnPublicAddress } from "./stun_client.ts";
export type { PublicAddress, StunServer } from "./stun_client.ts";
