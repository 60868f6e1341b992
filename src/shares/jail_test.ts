import assert from "node:assert/strict";
import { join } from "node:path";
import { parsePath } from "../wire/paths.ts";
import { IndexStore } from "./index_store.ts";
import { isInside } from "../wire/paths.ts";
import { resolveInShare } from "./jail.ts";
import { scanTree } from "./scanner.ts";

async function tree(): Promise<{ base: string; share: string } & AsyncDisposable> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "hdp-jail-" }));
  const share = join(base, "share");
  await Deno.mkdir(join(share, "docs", "inner"), { recursive: true });
  await Deno.writeTextFile(join(share, "docs", "a.txt"), "inside");
  await Deno.writeTextFile(join(share, "docs", "inner", "b.txt"), "deeper");
  await Deno.writeTextFile(join(base, "secret.txt"), "outside");
  await Deno.mkdir(join(base, "elsewhere"));
  await Deno.writeTextFile(join(base, "elsewhere", "c.txt"), "outside too");
  await Deno.symlink(join(base, "secret.txt"), join(share, "to-secret"));
  await Deno.symlink("../../secret.txt", join(share, "docs", "relative-secret"));
  await Deno.symlink(join(base, "elsewhere"), join(share, "to-elsewhere"));
  await Deno.symlink(join(share, "docs", "a.txt"), join(share, "to-a"));
  await Deno.symlink(join(share, "docs"), join(share, "docs-link"));
  await Deno.symlink("loop-b", join(share, "loop-a"));
  await Deno.symlink("loop-a", join(share, "loop-b"));
  await Deno.symlink("..", join(share, "docs", "inner", "up")); // a directory loop inside
  await Deno.symlink(join(base, "missing"), join(share, "dangling"));
  await Deno.symlink("/dev/null", join(share, "devnull"));
  await new Deno.Command("mkfifo", { args: [join(share, "fifo")] }).output();
  // a share root reached through a symlink (Deno permissions check text; the jail must not)
  return {
    base,
    share,
    [Symbol.asyncDispose]: () => Deno.remove(base, { recursive: true }),
  };
}

const resolve = (share: string, path: string, want: "file" | "dir" | "any" = "file") =>
  Promise.resolve().then(() => resolveInShare(share, parsePath(path), want));

Deno.test("the jail opens files inside, through symlinks that stay inside", async () => {
  await using t = await tree();
  assert.equal((await resolve(t.share, "docs/a.txt")).info.size, 6);
  assert.equal((await resolve(t.share, "to-a")).realPath, join(t.share, "docs", "a.txt"));
  assert.equal((await resolve(t.share, "docs-link/inner/b.txt")).info.size, 6);
  assert.ok((await resolve(t.share, "docs/inner/up/inner/up/a.txt")).realPath.endsWith("a.txt"));
});

Deno.test("the jail refuses symlinks out, loops, dangling links, devices, FIFOs and directories", async () => {
  await using t = await tree();
  const cases: [string, string][] = [
    ["to-secret", "NOT_SHARED"],
    ["docs/relative-secret", "NOT_SHARED"],
    ["to-elsewhere/c.txt", "NOT_SHARED"],
    ["loop-a", "NOT_SHARED"],
    ["dangling", "NOT_FOUND"],
    ["devnull", "NOT_SHARED"],
    ["fifo", "NOT_SHARED"],
    ["docs", "BAD_REQUEST"],
    ["nope.txt", "NOT_FOUND"],
    ["docs/a.txt/x", "NOT_FOUND"],
  ];
  for (const [path, code] of cases) {
    await assert.rejects(resolve(t.share, path), (error: Error & { code?: string }) => {
      assert.equal(error.code, code, `${path}: ${error.message}`);
      assert.ok(error.message.includes(path), error.message);
      return true;
    });
  }
});

Deno.test("text that could escape never reaches the disk: .., absolute, NUL, control, too long", () => {
  for (
    const path of [
      "../secret.txt",
      "docs/../../secret.txt",
      "/etc/passwd",
      "docs/a\u0000.txt",
      "a\tb",
      "x/".repeat(600),
    ]
  ) {
    assert.throws(() => parsePath(path), { code: "BAD_REQUEST" });
  }
});

Deno.test("containment is by whole path segments", () => {
  assert.ok(isInside("/srv/share", "/srv/share"));
  assert.ok(isInside("/srv/share", "/srv/share/a"));
  assert.ok(!isInside("/srv/share", "/srv/share2/a"));
  assert.ok(!isInside("/srv/share", "/srv"));
  assert.ok(isInside("/", "/etc"));
});

Deno.test("a scan follows inside symlinks, skips the rest, and terminates on loops", async () => {
  await using t = await tree();
  const kv = await Deno.openKv(join(t.base, "state.kv"));
  try {
    const store = new IndexStore(kv);
    const { stats } = await scanTree(store, { name: "s", root: t.share }, "");
    const root = (await store.readDir("s", "")).map((e) => e[0]);
    assert.deepEqual(root, ["docs", "docs-link", "to-a"]);
    const inner = (await store.readDir("s", "docs/inner")).map((e) => e[0]);
    assert.deepEqual(inner, ["b.txt"], "the link back up is a loop and is skipped");
    assert.equal(stats.files, 5); // docs/a.txt, docs/inner/b.txt, the same two via docs-link, to-a
    assert.ok(stats.skipped >= 8);
  } finally {
    kv.close();
  }
});
