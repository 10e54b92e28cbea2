// The Python references the Node tests run, found as tests/support/python.rs finds them: the
// interpreter named by an environment variable, else the repository's venv that
// scripts/setup.sh creates. A missing one fails the test, saying how to get it.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The interpreter `$variable` names, or `venv/bin/python` in the repository root; must exist. */
export function venvPython(variable, venv, what) {
  const path = process.env[variable] || join(ROOT, venv, "bin", "python");
  assert.ok(existsSync(path), `the Python reference ${what} is missing (no interpreter at ${path}, from $${variable} or the venv ${venv}): run ./scripts/test.sh, or ./scripts/setup.sh python`);
  return path;
}
