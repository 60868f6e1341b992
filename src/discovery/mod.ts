/**
 * The public face of src/discovery/: STUN and the NAT type, announce addresses, gossip, mDNS, the
 * punch decision, port mapping on the router (PCP, NAT-PMP, UPnP-IGD).
 */
export { decodeAnnounceAddress, encodeAnnounceAddress } from "./announce_address.ts";
export type { Candidate, CandidateKind } from "./candidate.ts";
export { Connectivity } from "./connectivity.ts";
export type { MappingStatus, RouterMapping } from "./connectivity.ts";
export { MAPPING_STATES } from "./connectivity.ts";
export { announcedDialer, dialAnnounced } from "./dial_announced.ts";
export { inboundPath, reachableWithoutPunching } from "./reach_plan.ts";
export { signAnnouncement } from "./gossip_signature.ts";
export { localAddresses } from "./local_addresses.ts";
export { startMdns } from "./mdns.ts";
export type { NatType } from "./nat_type.ts";
export { PortMapper } from "./port_mapper.ts";
export type { MappingProtocol, PortMapperOptions, PortMapping } from "./port_mapper.ts";
export { learnPublicAddress } from "./stun_client.ts";
export type { PublicAddress, StunServer } from "./stun_client.ts";
export { firstToConnect } from "./happy_eyeballs.ts";
export type { Race } from "./happy_eyeballs.ts";
