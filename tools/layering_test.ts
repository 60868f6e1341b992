/**
 * The layout's rules, checked on the source itself: other folders are entered only through their
 * faces (`mod.ts`, `light.ts`), imports point down the layers, and what a light face loads at run
 * time stays light (no full face behind it).
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), ".."));

/** The layers from the top; a folder may import the folders after it (and src/log.ts). */
const LAYERS = [
  ["cli"],
  ["api"],
  ["node"],
  ["downloads", "rpc", "shares", "discovery"],
  ["relay"],
  ["transport"],
  ["wire"],
];
/** Edges between folders of one layer that the layout allows (a sibling's face, never back). */
const SIBLING_EDGES = new Set([
  "downloads→rpc",
  "downloads→shares",
  "rpc→shares",
  "discovery→rpc",
]);

interface Import {
  from: string;
  to: string;
  /** Only types: erased at run time. */
  typeOnly: boolean;
}

const STATEMENT =
  /(?:^|\n)\s*(import|export)(\s+type)?\s*(\{[^}]*\}|\*\s+as\s+\w+|\w+)?\s*(?:from\s*)?"([^"]+)";/g;

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await sources(path));
    else if (/\.tsx?$/.test(entry.name) && entry.name !== "_ui_bundle.ts") out.push(path);
  }
  return out;
}

async function imports(files: string[]): Promise<Import[]> {
  const out: Import[] = [];
  for (const from of files) {
    const text = await Deno.readTextFile(join(ROOT, from));
    for (const m of text.matchAll(STATEMENT)) {
      const spec = m[4]!;
      if (!spec.startsWith(".")) continue;
      const names = m[3] ?? "";
      const typeOnly = m[2] !== undefined ||
        (names.startsWith("{") &&
          names.slice(1, -1).split(",").map((n) => n.trim()).filter(Boolean)
            .every((n) => n.startsWith("type ")));
      out.push({ from, to: normalize(join(dirname(from), spec)), typeOnly });
    }
  }
  return out;
}

function folderOf(path: string): string | undefined {
  const parts = path.split("/");
  return parts[0] === "src" && parts.length >= 3 ? parts[1] : undefined;
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

const all = await imports([
  ...await sources("src"),
  ...await sources("ui"),
  ...await sources("tests"),
  ...await sources("bench"),
  ...await sources("tools"),
  "main.ts",
]);

Deno.test("other folders are entered only through their faces (mod.ts, light.ts)", () => {
  const wrong = all.filter(({ from, to }) => {
    const target = folderOf(to);
    if (target === undefined || target === folderOf(from)) return false;
    const file = to.split("/").at(-1)!;
    return file !== "mod.ts" && file !== "light.ts" && !file.startsWith("_");
  }).map(({ from, to }) => `${from} → ${to}`);
  assert.deepEqual(wrong, []);
});

Deno.test("imports inside src/ point down the layers, never up", () => {
  const wrong = all.filter(({ from, to }) => {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === undefined || b === undefined || a === b) return false;
    const [la, lb] = [layerOf(a), layerOf(b)];
    if (la === lb) return !SIBLING_EDGES.has(`${a}→${b}`);
    return lb < la;
  }).map(({ from, to }) => `${from} → ${to}`);
  assert.deepEqual(wrong, []);
});

Deno.test("ui/ talks to the daemon only through the API's light face", () => {
  const wrong = all.filter(({ from, to }) =>
    from.startsWith("ui/") && to.startsWith("src/") && to !== "src/api/light.ts"
  ).map(({ from, to }) => `${from} → ${to}`);
  assert.deepEqual(wrong, []);
});

Deno.test("what a light face loads at run time never reaches a full face", () => {
  const byFile = Map.groupBy(all.filter((i) => !i.typeOnly), (i) => i.from);
  const wrong: string[] = [];
  for (const face of all.map((i) => i.to).filter((to) => to.endsWith("/light.ts"))) {
    const seen = new Set<string>();
    const walk = (file: string, path: string[]): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const { to } of byFile.get(file) ?? []) {
        if (to.endsWith("/mod.ts")) wrong.push([...path, file, to].join(" → "));
        else walk(to, [...path, file]);
      }
    };
    walk(face, []);
  }
  assert.deepEqual([...new Set(wrong)], []);
});

Deno.test("the layering checks see the source tree", () => {
  assert.ok(all.length > 300, `only ${all.length} imports found under ${relative(".", ROOT)}`);
});
