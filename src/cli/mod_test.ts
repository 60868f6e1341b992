import assert from "node:assert/strict";
import type { Io } from "./command.ts";
import { COMMANDS, main } from "./mod.ts";

function fakeIo(env: Record<string, string> = {}): Io & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    env: (n: string) => env[n],
    cwd: () => "/tmp",
  };
  return io;
}

Deno.test("--help lists every command and exits 0; no command prints it and exits 2", async () => {
  const io = fakeIo();
  assert.equal(await main(["--help"], io), 0);
  for (const command of COMMANDS) assert.match(io.out, new RegExp(`\\b${command.name}\\b`));
  assert.equal(await main([], fakeIo()), 2);
});

Deno.test("each command has --help naming all its options", async () => {
  for (const command of COMMANDS) {
    const io = fakeIo();
    assert.equal(await main([command.name, "--help"], io), 0);
    assert.match(io.out, /^Usage: harddrive-party /);
    for (const option of Object.keys(command.options)) assert.ok(io.out.includes(`--${option}`));
  }
});

Deno.test("bad command lines give a one-line error, the usage and exit code 2", async () => {
  const cases: [string[], RegExp, Record<string, string>?][] = [
    [["frobnicate"], /unknown command "frobnicate"/],
    [["start", "--bogus"], /Unknown option '--bogus'/],
    [["start", "--port"], /--port/],
    [["start", "--port", "99999"], /--port: port must be 0 to 65535/],
    [["start", "--ui-address", "nohost"], /--ui-address: expected HOST:PORT/],
    [["start", "extra"], /unexpected argument "extra"/],
    [["start"], /HDP_LOG must be/, { HDP_LOG: "loud", HOME: "/tmp" }],
    [["info", "--json=yes"], /--json/],
    [["info", "--ui-address", "x"], /--ui-address/],
    [["stop", "now"], /unexpected argument "now"/],
  ];
  for (const [argv, message, env] of cases) {
    const io = fakeIo(env ?? { HOME: "/tmp" });
    assert.equal(await main(argv, io), 2, argv.join(" "));
    const firstLine = io.err.split("\n")[0]!;
    assert.match(firstLine, /^error: /);
    assert.match(firstLine, message);
    if (argv[0] !== "frobnicate") assert.match(io.err, /Usage: harddrive-party /);
  }
});

Deno.test("a control command with no daemon says so with code UNAVAILABLE and exit 1", async () => {
  const io = fakeIo();
  const code = await main(["info", "--ui-address", "127.0.0.1:9"], io);
  assert.equal(code, 1);
  assert.match(io.err, /Cannot reach the daemon at http:\/\/127\.0\.0\.1:9.*\[UNAVAILABLE\]/);
});
