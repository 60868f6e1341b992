import assert from "node:assert/strict";
import { join } from "node:path";
import { isInside, parsePath } from "../wire/mod.ts";
import { IndexStore } from "./index_store.ts";
import { ensureDirInside, resolveInRoot, resolveInShare } from "./jail.ts";
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

Deno.test("the jail refuses segments that climb above the root, whatever the caller passes", async () => {
  await using t = await tree();
  for (const segments of [[".."], ["..", "secret.txt"], ["docs", "..", "..", "secret.txt"]]) {
    assert.throws(() => resolveInRoot(t.share, segments), { code: "NOT_SHARED" });
  }
});

Deno.test("the jail names the root it guards and wants what the caller asks for", async () => {
  await using t = await tree();
  const options = { rootName: "the download dir" };
  assert.throws(() => resolveInRoot(t.share, ["to-secret"], options), {
    code: "NOT_SHARED",
    message: 'Cannot open "to-secret": it leads outside the download dir',
  });
  assert.ok(resolveInRoot(t.share, ["docs"], options).info.isDirectory);
  assert.throws(() => resolveInRoot(t.share, ["docs", "a.txt"], { want: "dir" }), {
    code: "NOT_FOUND",
  });
  assert.throws(() => resolveInRoot(t.share, ["fifo"]), { code: "NOT_SHARED" });
});

Deno.test("ensureDirInside makes every missing level, the root too, through links that stay inside", async () => {
  await using t = await tree();
  const root = join(t.base, "dl");
  ensureDirInside(root, join(root, "Peer", "Album", "Disc 1"));
  assert.ok((await Deno.stat(join(root, "Peer", "Album", "Disc 1"))).isDirectory);
  await Deno.symlink(join(root, "Peer"), join(root, "alias"));
  ensureDirInside(root, join(root, "alias", "Other"));
  assert.ok((await Deno.stat(join(root, "Peer", "Other"))).isDirectory);
  ensureDirInside(root, root);
});

Deno.test("ensureDirInside refuses a link out before making anything through it", async () => {
  await using t = await tree();
  const root = join(t.base, "dl");
  await Deno.mkdir(root);
  await Deno.symlink(join(t.base, "elsewhere"), join(root, "out"));
  await Deno.symlink("../secret.txt", join(root, "file-out"));
  for (const dir of ["out/made", "out", "file-out/made"]) {
    assert.throws(() => ensureDirInside(root, join(root, dir)), {
      code: "FORBIDDEN",
      message: new RegExp("a link there leads out of the download dir"),
    });
  }
  await assert.rejects(Deno.stat(join(t.base, "elsewhere", "made")), Deno.errors.NotFound);
});

Deno.test("ensureDirInside refuses a dir outside the root by text or climbing with ..", async () => {
  await using t = await tree();
  const root = join(t.base, "dl");
  for (const dir of [t.base, join(t.base, "dl2", "x"), `${root}/a/../../x`, `${root}/./a`]) {
    assert.throws(() => ensureDirInside(root, dir), { code: "FORBIDDEN" }, dir);
  }
  await assert.rejects(Deno.stat(join(t.base, "dl2")), Deno.errors.NotFound);
  await assert.rejects(Deno.stat(join(root, "a")), Deno.errors.NotFound);
});

Deno.test("ensureDirInside refuses a file where a folder should be, and passes OS errors on", async () => {
  await using t = await tree();
  const root = join(t.base, "dl");
  await Deno.mkdir(root);
  await Deno.writeTextFile(join(root, "taken"), "a file");
  assert.throws(() => ensureDirInside(root, join(root, "taken")), { code: "IO" });
  assert.throws(() => ensureDirInside(root, join(root, "taken", "below")), { code: "IO" });
  await Deno.symlink(join(root, "taken"), join(root, "to-file"));
  assert.throws(() => ensureDirInside(root, join(root, "to-file", "below")), { code: "IO" });
  await Deno.symlink("missing", join(root, "dangling"));
  assert.throws(() => ensureDirInside(root, join(root, "dangling", "x")), Deno.errors.NotFound);
});

Deno.test("ensureDirInside asks the disk nothing for a dir it made before", async () => {
  await using t = await tree();
  const root = join(t.base, "dl");
  const made = new Set<string>();
  ensureDirInside(root, join(root, "Peer", "Album"), { made });
  assert.ok(made.has(join(root, "Peer", "Album")));
  await Deno.remove(root, { recursive: true });
  ensureDirInside(root, join(root, "Peer", "Album"), { made }); // a hit: no syscall, so no remake
  await assert.rejects(Deno.stat(root), Deno.errors.NotFound);
  ensureDirInside(root, join(root, "Peer"), { made });
  await assert.rejects(Deno.stat(root), Deno.errors.NotFound, "every level made was remembered");
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
