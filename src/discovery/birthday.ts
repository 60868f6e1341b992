/**
 * Hole punching between an easy NAT and a hard (symmetric) one, by the birthday paradox. The
 * hard side opens many sockets and sends from each towards the easy side: its NAT opens that
 * many random public ports for the easy side. The easy side probes random ports of the hard
 * side's IP; when a probe meets one of those ports, both NATs have let the other through. With
 * 256 ports open and 2,048 probes, that happens with a chance of 1 − (1 − 256/64,512)^2048 ≈ 99.97%.
 */
import { logger } from "../log.ts";
import { hdpError, messageOf } from "../wire/mod.ts";

const log = logger("birthday");

/** Options of {@link spray}. */
export interface SprayOptions {
  /** Sockets to open. Default 256. */
  sockets?: number;
  /** How often each socket sends again (keeping its mapping open). Default 500 ms. */
  intervalMs?: number;
  /** How long to wait for a probe. Default 15 s. */
  timeoutMs?: number;
}

/**
 * The hard side: opens the sockets, sends from each towards `target` until a packet from the
 * target's IP arrives on one, then closes them all and returns that socket's local port (a QUIC
 * endpoint bound to it at once inherits the NAT mapping the probe found). Throws `TIMEOUT`.
 */
export async function spray(
  target: { ip: string; port: number },
  options: SprayOptions = {},
): Promise<number> {
  const count = options.sockets ?? 256;
  const sockets: Deno.DatagramConn[] = [];
  const payload = new TextEncoder().encode("hdp-punch");
  const found = Promise.withResolvers<number>();
  try {
    for (let i = 0; i < count; i++) {
      try {
        sockets.push(Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 }));
      } catch (error) {
        log.debug("cannot open another punch socket", { opened: i, error: messageOf(error) });
        break;
      }
    }
    if (sockets.length === 0) {
      throw hdpError("UNAVAILABLE", "Cannot open UDP sockets to punch with");
    }
    for (const socket of sockets) {
      (async () => {
        try {
          for (;;) {
            const [, from] = await socket.receive();
            if ((from as Deno.NetAddr).hostname === target.ip) {
              found.resolve((socket.addr as Deno.NetAddr).port);
              return;
            }
          }
        } catch { /* closed */ }
      })();
    }
    const send = () => {
      for (const socket of sockets) {
        socket.send(payload, { transport: "udp", hostname: target.ip, port: target.port }).catch(
          () => {},
        );
      }
    };
    send();
    const timer = setInterval(send, options.intervalMs ?? 500);
    const timeout = setTimeout(
      () => found.reject(hdpError("TIMEOUT", "No probe from the other side found our ports")),
      options.timeoutMs ?? 15_000,
    );
    try {
      const port = await found.promise;
      log.info("a probe came through", { port, sockets: sockets.length });
      return port;
    } finally {
      clearInterval(timer);
      clearTimeout(timeout);
    }
  } finally {
    for (const socket of sockets) {
      try {
        socket.close();
      } catch { /* closed already */ }
    }
  }
}

/** Options of {@link probe}. */
export interface ProbeOptions {
  /** Probes in all. Default 2048. */
  probes?: number;
  /** Probes per second. Default 256. */
  perSecond?: number;
  /** Randomness (tests pass a fixed one). */
  random?: () => number;
}

/**
 * The easy side: dials random ports of the hard side's IP, paced, and returns the first
 * connection that comes up. Throws `TIMEOUT` when every probe missed.
 */
export async function probe<T>(
  dial: (port: number) => Promise<T>,
  options: ProbeOptions = {},
): Promise<T> {
  const total = options.probes ?? 2048;
  const gap = 1000 / (options.perSecond ?? 256);
  const random = options.random ?? Math.random;
  const won = Promise.withResolvers<T>();
  let settled = 0;
  let stop = false;
  const tried = new Set<number>();
  (async () => {
    for (let i = 0; i < total && !stop; i++) {
      let port: number;
      do port = 1024 + Math.floor(random() * (65536 - 1024)); while (tried.has(port));
      tried.add(port);
      dial(port).then((value) => {
        stop = true;
        won.resolve(value);
      }, () => {
        if (++settled === total) {
          won.reject(hdpError("TIMEOUT", `None of ${total} probes found the other side`));
        }
      });
      await new Promise((resolve) => setTimeout(resolve, gap));
    }
  })();
  return await won.promise;
}
