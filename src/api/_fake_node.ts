/** A node for API tests: its info, an event bus, and a stop that can be awaited. */
import { EventBus, type HdpNode, type NodeInfo } from "../node/mod.ts";
import type { GuardOptions } from "./guard.ts";

/** A loopback guard on port 3030 (requests go to http://127.0.0.1:3030). */
export const GUARD: GuardOptions = { bound: { hostname: "127.0.0.1", port: 3030 } };

/** The fake node's info. */
export const INFO: NodeInfo = {
  name: "PersianChinchilla",
  publicKey: "00".repeat(32),
  announceAddress: "hdp1test",
  natType: "unknown",
  candidates: [{ kind: "lan", ip: "127.0.0.1", port: 4000 }],
  portMapping: { state: "off" },
  listening: ["192.0.2.1:50000"],
  port: 50000,
  shares: [{ name: "music", path: "/srv/music", audience: "friends" }],
  accept: "everyone",
  unlisted: false,
  transfers: { uploadSlots: 3, downloadsPerPeer: 8, maxDownloads: 16 },
  downloadDir: "/dl",
  storageDir: "/state",
  uiAddress: "127.0.0.1:3030",
  version: "0.1.0",
};

/** A fake node: what a test does not override rejects with "not used in this test". */
export function fakeNode(overrides: Partial<HdpNode> = {}): HdpNode & { stops: string[] } {
  const stops: string[] = [];
  const stopped = Promise.withResolvers<string>();
  const unused = () => Promise.reject(new Error("not used in this test"));
  return {
    stops,
    events: new EventBus(),
    info: () => INFO,
    shares: unused,
    addShare: unused,
    removeShare: unused,
    setShareAudience: unused,
    ls: unused,
    setTransfers: unused,
    throughRelay: () => {
      throw new Error("not used in this test");
    },
    connect: unused,
    peers: () => [],
    forgetPeer: unused,
    setPeerStanding: () => {
      throw new Error("not used in this test");
    },
    bandwidth: () => {
      throw new Error("not used in this test");
    },
    setBandwidth: unused,
    setPeerLimit: unused,
    peerLs: unused,
    peerRead: unused,
    download: unused,
    downloads: () => [],
    downloadAction: unused,
    clearDownloads: unused,
    uploads: () => [],
    cancelUpload: unused,
    history: unused,
    requestStop: (reason) => {
      stops.push(reason);
      stopped.resolve(reason);
    },
    stopRequested: stopped.promise,
    close: () => Promise.resolve(),
    ...overrides,
  };
}
