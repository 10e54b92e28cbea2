// Real workerd through miniflare (npm devDependency): bundle a test Worker that imports the
// package by name (so the "./cloudflare" export and its workerd condition are what resolves),
// start it, and stop it afterwards. Needs `npm ci` and `./scripts/build-pkg.sh`.
import { mkdtempSync, mkdirSync, symlinkSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, bundleWorkerInto } from "./harness.mjs";

export async function bundleWorker(entry) {
  if (!existsSync(join(ROOT, "pkg/dist/glue_bg.wasm"))) throw new Error("pkg/dist is missing: run ./scripts/build-pkg.sh");
  const dir = mkdtempSync(join(tmpdir(), "bh-miniflare-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(ROOT, "pkg"), join(dir, "node_modules", "bh-audit-logger"));
  const { wasmModules } = await bundleWorkerInto(dir, entry, { nodePaths: [join(dir, "node_modules")], external: ["cloudflare:workers"] });
  return { dir, wasmModules };
}

/** Start miniflare on a bundle made by bundleWorker (its `{ dir, wasmModules }`); `options` are merged into its config. */
export async function startMiniflare({ dir, wasmModules }, options = {}) {
  let Miniflare;
  try {
    ({ Miniflare } = await import("miniflare"));
  } catch {
    throw new Error("miniflare is not installed: run `npm ci` at the repository root");
  }
  const mf = new Miniflare({
    modulesRoot: dir,
    modules: [
      { type: "ESModule", path: join(dir, "worker.js") },
      ...wasmModules.map((m) => ({ type: "CompiledWasm", path: join(dir, m) })),
    ],
    compatibilityDate: "2025-04-01",
    host: "127.0.0.1",
    port: 0,
    ...options,
  });
  await mf.ready;
  return mf;
}

/** `mf.dispatchFetch` returning parsed JSON (throws with the body on a non-2xx answer). */
export async function call(mf, path, init) {
  const res = await mf.dispatchFetch(`http://worker${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text.slice(0, 2000)}`);
  return res.headers.get("content-type")?.includes("json") && !res.headers.get("content-type")?.includes("ndjson") ? JSON.parse(text) : text;
}
