// Runtime drivers shared by the conformance and packaging tests: each runs a module that
// exercises the package in one runtime and returns what it reported. The runtimes are the
// real binaries from npm (deno, workerd) and Debian's Chromium driven by playwright-core.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname, resolve, sep, basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin");

export function freePort() {
  return new Promise((res, rej) => {
    const s = createNetServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on("error", rej);
  });
}

/** Run `script` with the deno binary from npm, with no permissions; returns parsed stdout JSON. */
export function runDeno(script, cwd = ROOT) {
  const r = spawnSync(join(BIN, "deno"), ["run", "--no-prompt", "--quiet", script], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`deno exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

/** Bundle a worker entry with esbuild into `dir/worker.js`, the `.wasm` import kept as a
 * module beside it (`dir/glue_bg.wasm`), as wrangler does; fails when nothing imported one. */
export async function bundleWorkerInto(dir, entry, { nodePaths = [], conditions = ["workerd", "worker", "browser"], external = [] } = {}) {
  const esbuild = await import("esbuild");
  // Each .wasm the bundle imports (the package has two modules) becomes a module of its own
  // beside worker.js, named after its directory: dist_glue_bg.wasm, trail_glue_bg.wasm.
  const wasm = new Map();
  const { metafile } = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    outfile: join(dir, "worker.js"),
    conditions,
    nodePaths,
    external,
    metafile: true,
    logLevel: "error",
    plugins: [{
      name: "wasm-module",
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, (a) => {
          const path = resolve(a.resolveDir, a.path);
          const name = `${basename(dirname(path))}_${basename(path)}`;
          wasm.set(name, path);
          return { path: `./${name}`, external: true };
        });
      },
    }],
  });
  if (wasm.size === 0) throw new Error("the worker bundle did not import a wasm module (wrong export condition?)");
  for (const [name, path] of wasm) copyFileSync(path, join(dir, name));
  return { wasmModules: [...wasm.keys()], metafile };
}

/** Bundle a worker entry (bundleWorkerInto), serve it with the real workerd, fetch `/` once
 * and return the parsed JSON response. */
export async function runWorkerd(entry, options) {
  const dir = mkdtempSync(join(tmpdir(), "bh-workerd-"));
  const { wasmModules } = await bundleWorkerInto(dir, entry, options);
  const port = await freePort();
  writeFileSync(join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
${wasmModules.map((m) => `    (name = "${m}", wasm = embed "${m}"),`).join("\n")}
  ],
  compatibilityDate = "2025-01-01",
);
`);
  const proc = spawn(join(BIN, "workerd"), ["serve", join(dir, "config.capnp")], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr += d));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`workerd exited ${proc.exitCode}: ${stderr}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        const text = await res.text();
        if (!res.ok) throw new Error(`workerd responded ${res.status}: ${text} ${stderr}`);
        return JSON.parse(text);
      } catch (e) {
        if (Date.now() > deadline || !(e.cause && e.cause.code === "ECONNREFUSED")) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    proc.kill("SIGKILL");
  }
}

const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

/** A static file server for `root` on 127.0.0.1 (no directory traversal). */
export async function serveStatic(root) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const path = resolve(base, "." + decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!(path === base || path.startsWith(base + sep)) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": MIME[extname(path)] ?? "application/octet-stream" });
    res.end(readFileSync(path));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

export function ensureChromium() {
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  throw new Error("Chromium is missing: run ./scripts/setup.sh chromium (Debian's package), or ./scripts/test.sh");
}

/** Open `url` in headless Chromium, wait for `window.__results`, return it with console errors
 * and every request URL the page made. */
export async function runChromium(url) {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: ensureChromium(),
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    const requests = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(url);
    await page.waitForFunction(() => window.__results !== undefined, null, { timeout: 60_000 });
    return { results: await page.evaluate(() => window.__results), errors, requests };
  } finally {
    await browser.close();
  }
}
