#!/usr/bin/env node
// Serve the playground (www/) on 127.0.0.1: `node scripts/serve-www.mjs [--port N]`.
//
// A tiny static server, nothing else: GET/HEAD only, no directory listings, no path
// outside its two roots. `www/` is served at `/`, and the built package is mounted at
// `/pkg/src/` and `/pkg/dist/` (from `pkg/src` and `pkg/dist`), so the page imports it by a
// relative path (`./pkg/src/bytes.mjs`) with no copy step. To host the page elsewhere, copy
// pkg/src and pkg/dist into www/pkg/ (gitignored) and serve www/ as plain files.
//
// Also importable: `startServer({ port, host, quiet })` resolves to `{ server, origin }`
// (the browser tests use it with port 0).
import { createServer } from "node:http";
import { open, realpath, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(fileURLToPath(new URL("..", import.meta.url)));
const MOUNTS = [
  // [URL prefix, directory]: longest prefix first.
  ["/pkg/src/", join(REPO, "pkg", "src")],
  ["/pkg/dist/", join(REPO, "pkg", "dist")],
  ["/", join(REPO, "www")],
];

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
};

const HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  // Cross-origin isolation: everything is same-origin anyway, and it gives the page a finer
  // performance.now() for the validation timing.
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-cache",
};

function send(res, status, text, head = false) {
  res.writeHead(status, { ...HEADERS, "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(head ? undefined : text);
}

/** Map a request path to a file inside one of the mounts, or null. */
async function resolvePath(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  if (decoded.endsWith("/")) decoded += "index.html";
  for (const [prefix, dir] of MOUNTS) {
    if (!decoded.startsWith(prefix)) continue;
    const rel = decoded.slice(prefix.length);
    if (rel.split("/").some((part) => part === ".." || part === ".")) return null;
    const file = resolve(dir, rel);
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    // Symlinks must not lead out of the mount either.
    let real;
    try {
      real = await realpath(file);
    } catch {
      return null;
    }
    const realDir = await realpath(dir).catch(() => dir);
    if (!real.startsWith(realDir + sep)) return null;
    return real;
  }
  return null;
}

async function handle(req, res, quiet) {
  const head = req.method === "HEAD";
  if (req.method !== "GET" && !head) {
    res.setHeader("Allow", "GET, HEAD");
    return send(res, 405, "method not allowed\n");
  }
  const path = (req.url || "/").split("?")[0].split("#")[0];
  if (!path.startsWith("/")) return send(res, 400, "bad request\n", head);
  const file = await resolvePath(path);
  let info;
  if (file) info = await stat(file).catch(() => null);
  if (!file || !info || !info.isFile()) {
    if (!quiet) console.log(`404 ${req.method} ${path}`);
    return send(res, 404, "not found\n", head);
  }
  const type = MIME[extname(file).toLowerCase()] || "application/octet-stream";
  res.writeHead(200, { ...HEADERS, "Content-Type": type, "Content-Length": info.size });
  if (head) return res.end();
  const fh = await open(file, "r");
  const stream = fh.createReadStream();
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}

export function startServer({ port = 8080, host = "127.0.0.1", quiet = false } = {}) {
  const server = createServer((req, res) => {
    handle(req, res, quiet).catch(() => {
      if (!res.headersSent) send(res, 500, "internal error\n");
      else res.destroy();
    });
  });
  return new Promise((resolveStart, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolveStart({ server, origin: `http://${host}:${addr.port}` });
    });
  });
}

function parseArgs(argv) {
  let port = 8080;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--port" || a === "-p") port = Number(argv[++i]);
    else if (a.startsWith("--port=")) port = Number(a.slice(7));
    else if (a === "--help" || a === "-h") {
      console.log("usage: node scripts/serve-www.mjs [--port N]   (N = 0 picks a free port)");
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error("--port must be an integer 0..65535");
    process.exit(2);
  }
  return { port };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { port } = parseArgs(process.argv.slice(2));
  if (!existsSync(join(REPO, "pkg", "dist", "wasm_bytes.js"))) {
    console.error("pkg/dist is not built: run ./scripts/build-pkg.sh first");
    process.exit(1);
  }
  const { origin } = await startServer({ port }).catch((err) => {
    console.error(`cannot listen on 127.0.0.1:${port}: ${err.message}`);
    process.exit(1);
  });
  console.log(`bh-audit-logger playground: ${origin}/`);
}
