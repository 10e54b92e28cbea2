#!/usr/bin/env node
// Vendor the upstream bh-audit-schema examples into www/examples/ and write
// www/examples/index.json. Run from anywhere:
//   node www/build-examples.mjs [SOURCE_DIR]
// SOURCE_DIR defaults to $BH_SCHEMA_EXAMPLES, else the repository's vendored copy,
// tests/data/bh-audit-schema/examples.
// Files are copied byte for byte; the output is committed, so the page needs no build step.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const src = process.argv[2] || process.env.BH_SCHEMA_EXAMPLES || fileURLToPath(new URL("../tests/data/bh-audit-schema/examples/", import.meta.url));
const out = fileURLToPath(new URL("./examples/", import.meta.url));
if (!existsSync(src)) {
  console.error(`no examples at ${src}`);
  process.exit(1);
}

const jsonFiles = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : []);
const title = (file) => file.replace(/\.json$/, "").replace(/^\d+_/, "").replace(/_/g, " ");

rmSync(out, { recursive: true, force: true });
const versions = [];
for (const version of readdirSync(src).filter((d) => /^\d+\.\d+$/.test(d)).sort()) {
  const entry = { version, positive: [], negative: [] };
  for (const [kind, dir] of [["positive", join(src, version)], ["negative", join(src, version, "negative")]]) {
    for (const file of jsonFiles(dir)) {
      const rel = kind === "positive" ? `${version}/${file}` : `${version}/negative/${file}`;
      mkdirSync(join(out, rel, ".."), { recursive: true });
      copyFileSync(join(dir, file), join(out, rel));
      JSON.parse(readFileSync(join(dir, file), "utf8")); // fail loudly on a broken upstream file
      entry[kind].push({ name: file.replace(/\.json$/, ""), title: title(file), path: rel });
    }
  }
  versions.push(entry);
}
writeFileSync(join(out, "index.json"), JSON.stringify({ source: "bh-healthcare/bh-audit-schema examples (Apache-2.0); see SOURCE.md", versions }, null, 2) + "\n");
writeFileSync(
  join(out, "SOURCE.md"),
  `# Source of these files

The JSON files under this folder are the positive and negative examples of the public
bh-audit-schema repository (bh-healthcare/bh-audit-schema, Apache-2.0 license), copied
unmodified from the repository's vendored copy in \`tests/data/bh-audit-schema/examples/\`
(\`<version>/*.json\` and \`<version>/negative/*.json\`; see \`tests/data/bh-audit-schema/SOURCE.md\`
for the upstream commits).

\`index.json\` lists them and is generated, with the copies, by \`www/build-examples.mjs\`.
Do not edit by hand: re-run \`node www/build-examples.mjs\`.
`,
);
const count = versions.reduce((n, v) => n + v.positive.length + v.negative.length, 0);
console.log(`wrote ${count} examples for ${versions.map((v) => v.version).join(", ")} to ${out}`);
