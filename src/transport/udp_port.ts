/** Choosing the UDP port of the QUIC endpoint. */
import { hdpError } from "../wire/mod.ts";

/** Tells whether a UDP port is free on all interfaces, by binding and closing it. */
export function isUdpPortFree(port: number): boolean {
  try {
    Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port }).close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return false;
    throw error;
  }
}

/** Picks a free port from the dynamic range (49152–65535), to be remembered and reused. */
export function pickUdpPort(random: () => number = Math.random): number {
  for (let attempt = 0; attempt < 64; attempt++) {
    const port = 49152 + Math.floor(random() * (65536 - 49152));
    if (isUdpPortFree(port)) return port;
  }
  throw hdpError("UNAVAILABLE", "Cannot find a free UDP port in 49152-65535");
}
