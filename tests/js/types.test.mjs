// The published .d.ts type-checks a consumer (and rejects misuse marked @ts-expect-error).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./harness.mjs";

test("index.d.ts compiles a consumer under --strict", () => {
  const r = spawnSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", join(ROOT, "tests/js/types/tsconfig.json")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
