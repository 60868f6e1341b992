import assert from "node:assert/strict";
import {
  defaultStorageDir,
  expandHome,
  formatHostPort,
  parseHostPort,
  type Platform,
  resolveConfig,
  type StartFlags,
} from "./config.ts";

const linux: Platform = { os: "linux", env: { HOME: "/home/ada" }, cwd: "/work" };
const flags: StartFlags = {
  shareDirs: [],
  stunServers: [],
  noStun: false,
  noMdns: false,
  logLevel: "info",
};

Deno.test("defaults follow the platform: XDG data dir, ~/Downloads, loopback:3030", () => {
  const config = resolveConfig(flags, linux);
  assert.equal(config.storageDir, "/home/ada/.local/share/harddrive-party");
  assert.equal(config.downloadDir, "/home/ada/Downloads/harddrive-party");
  assert.deepEqual(config.ui, { hostname: "127.0.0.1", port: 3030 });
  assert.equal(config.port, undefined);
  assert.equal(config.stun, true);
  assert.equal(config.mdns, true);
});

Deno.test("XDG_DATA_HOME, macOS and Windows data dirs", () => {
  assert.equal(
    defaultStorageDir({ ...linux, env: { HOME: "/h", XDG_DATA_HOME: "/data" } }),
    "/data/harddrive-party",
  );
  assert.equal(
    defaultStorageDir({ ...linux, env: { HOME: "/h", XDG_DATA_HOME: "relative" } }),
    "/h/.local/share/harddrive-party",
  );
  assert.equal(
    defaultStorageDir({ ...linux, os: "darwin", env: { HOME: "/Users/ada" } }),
    "/Users/ada/Library/Application Support/harddrive-party",
  );
  assert.match(
    defaultStorageDir({
      ...linux,
      os: "windows",
      env: { LOCALAPPDATA: "C:\\Users\\ada\\AppData\\Local" },
    }),
    /harddrive-party$/,
  );
});

Deno.test("paths are made absolute against the working directory and ~ is expanded", () => {
  const config = resolveConfig(
    { ...flags, shareDirs: ["music", "~/films", "music"], storage: "./state", downloadDir: "~" },
    linux,
  );
  assert.deepEqual(config.shareDirs, ["/work/music", "/home/ada/films"]);
  assert.equal(config.storageDir, "/work/state");
  assert.equal(config.downloadDir, "/home/ada");
});

Deno.test("bad ports and addresses are refused with the flag's name", () => {
  assert.throws(() => resolveConfig({ ...flags, port: "70000" }, linux), /--port/);
  assert.throws(() => resolveConfig({ ...flags, port: "abc" }, linux), /--port/);
  assert.throws(() => resolveConfig({ ...flags, uiAddress: "localhost" }, linux), /--ui-address/);
  assert.throws(() => resolveConfig({ ...flags, stunServers: ["stun"] }, linux), /--stun-server/);
  assert.throws(() => resolveConfig(flags, { ...linux, env: {} }), /home directory/);
});

Deno.test("host:port parsing handles IPv6 brackets and an empty host", () => {
  assert.deepEqual(parseHostPort("[::1]:8080", "x"), { hostname: "::1", port: 8080 });
  assert.deepEqual(parseHostPort(":8080", "x"), { hostname: "127.0.0.1", port: 8080 });
  assert.deepEqual(parseHostPort("0.0.0.0:3030", "x"), { hostname: "0.0.0.0", port: 3030 });
  assert.equal(formatHostPort({ hostname: "::1", port: 1 }), "[::1]:1");
});

Deno.test("expandHome turns ~ and ~/… into the home directory and leaves other paths", () => {
  const platform = { os: "linux" as const, env: { HOME: "/home/ann" } };
  assert.equal(expandHome("~", platform), "/home/ann");
  assert.equal(expandHome("~/Music", platform), "/home/ann/Music");
  assert.equal(expandHome("/srv/~/x", platform), "/srv/~/x");
  assert.equal(expandHome("~bob/x", platform), "~bob/x");
  assert.throws(() => expandHome("~/x", { os: "linux", env: {} }), { code: "BAD_REQUEST" });
});

Deno.test("--relay and --relay-rate: on at 10 MB/s by default, off, unlimited, refused when not a rate", () => {
  const config = resolveConfig(flags, linux);
  assert.equal(config.relay, true);
  assert.equal(config.relayRate, 10_000_000);
  assert.equal(resolveConfig({ ...flags, relay: "off" }, linux).relay, false);
  assert.equal(resolveConfig({ ...flags, relayRate: "unlimited" }, linux).relayRate, 0);
  assert.equal(resolveConfig({ ...flags, relayRate: "2MB/s" }, linux).relayRate, 2_000_000);
  assert.throws(
    () => resolveConfig({ ...flags, relayRate: "fast" }, linux),
    (error: Error & { code?: string }) =>
      error.code === "BAD_REQUEST" && /--relay-rate: Not a rate/.test(error.message),
  );
});
