// Validation benchmark (Node.js): our wasm `validateEvent` against Ajv (precompiled, draft 2020-12,
// ajv-formats) on JSON text, and against @cfworker/json-schema on objects.
//   node benches/js/validate.mjs [--json]
// Same process, same events for every candidate; warm-up, then RUNS (5) interleaved timed loops,
// median reported in ns per validation.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { Validator } from "@cfworker/json-schema";
import { validateEvent } from "../../pkg/src/node.mjs";
import { EXAMPLES, readJsonDir, loadSchema, compare, fmtNs, table, RUNS, CLOCK } from "./harness.mjs";
import { join } from "node:path";

const VERSIONS = ["1.1", "2.1"];

// ---- events: upstream positive examples of 1.1 and 2.1, plus invalid ones ----------------------
const valid = VERSIONS.flatMap((v) => readJsonDir(join(EXAMPLES, v)).map((x) => x.event));
const base11 = readJsonDir(join(EXAMPLES, "1.1")).find((x) => x.name === "patient_read_success.json").event;
const invalid11 = [
  (e) => { e.outcome = { status: "FAILURE" }; }, // FAILURE without error_type / error_message (allOf/if/then)
  (e) => { e.timestamp = "2026-02-30T10:00:00Z"; }, // date-time format
  (e) => { e.actor.subject_id = "x".repeat(300); }, // maxLength
  (e) => { e.http = { status_code: 700, client_ip: "256.1.1.1" }; }, // maximum + ipv4/ipv6 anyOf
  (e) => { e.resource.unknown = 1; delete e.action.type; }, // additionalProperties + required
  (e) => { e.metadata = { nested: { a: 1 } }; }, // metadata values must be scalar
].map((mutate) => {
  const e = structuredClone(base11);
  mutate(e);
  return e;
});
const invalid21 = readJsonDir(join(EXAMPLES, "2.1", "negative")).map((x) => x.event).filter((_, i) => i % 2 === 0);
const invalid = [...invalid11, ...invalid21];

// ---- validators -------------------------------------------------------------------------------
function ajvFor(allErrors) {
  const ajv = new Ajv2020({ strict: false, allErrors });
  addFormats(ajv, ["uuid", "date-time", "ipv4", "ipv6"]);
  return Object.fromEntries(VERSIONS.map((v) => [v, ajv.compile(loadSchema(v))]));
}
const ajvAll = ajvFor(true);
const ajvFirst = ajvFor(false);
const cfAll = Object.fromEntries(VERSIONS.map((v) => [v, new Validator(loadSchema(v), "2020-12", false)]));
const cfFirst = Object.fromEntries(VERSIONS.map((v) => [v, new Validator(loadSchema(v), "2020-12", true)]));

// Every candidate must agree on every event before we time anything.
for (const [label, set, expect] of [["valid", valid, true], ["invalid", invalid, false]]) {
  for (const e of set) {
    const s = JSON.stringify(e);
    const v = e.schema_version;
    const verdicts = {
      ours_text: validateEvent(s).valid,
      ours_obj: validateEvent(e).valid,
      ajv: ajvAll[v](JSON.parse(s)),
      cfworker: cfAll[v].validate(e).valid,
    };
    for (const [k, got] of Object.entries(verdicts)) {
      if (got !== expect) throw new Error(`${k} says ${got} on a ${label} event: ${s}`);
    }
  }
}

// ---- timing ---------------------------------------------------------------------------------------
const groups = { valid, invalid, "mix (all)": [...valid, ...invalid] };
const ITERS = { string: 20_000, object: 5_000 };
const rows = [];
const results = {};
for (const [group, events] of Object.entries(groups)) {
  const texts = events.map((e) => JSON.stringify(e));
  const versions = events.map((e) => e.schema_version);
  const n = events.length;
  const onStrings = compare(
    [
      { name: "ours validateEvent(string)", fn: (i) => validateEvent(texts[i % n]).valid },
      { name: "ajv(JSON.parse(s)) allErrors", fn: (i) => ajvAll[versions[i % n]](JSON.parse(texts[i % n])) },
      { name: "ajv(JSON.parse(s)) first error", fn: (i) => ajvFirst[versions[i % n]](JSON.parse(texts[i % n])) },
    ],
    ITERS.string,
  );
  const onObjects = compare(
    [
      { name: "ours validateEvent(object)", fn: (i) => validateEvent(events[i % n]).valid },
      { name: "cfworker validate(obj) all errors", fn: (i) => cfAll[versions[i % n]].validate(events[i % n]).valid },
      { name: "cfworker validate(obj) shortCircuit", fn: (i) => cfFirst[versions[i % n]].validate(events[i % n]).valid },
      { name: "ajv(obj) allErrors", fn: (i) => ajvAll[versions[i % n]](events[i % n]) },
    ],
    ITERS.object,
  );
  const g = (m, k) => m.get(k).median;
  const ours_s = g(onStrings, "ours validateEvent(string)");
  const ajv_s = g(onStrings, "ajv(JSON.parse(s)) allErrors");
  const ajv1_s = g(onStrings, "ajv(JSON.parse(s)) first error");
  const ours_o = g(onObjects, "ours validateEvent(object)");
  const cf_o = g(onObjects, "cfworker validate(obj) all errors");
  const cf1_o = g(onObjects, "cfworker validate(obj) shortCircuit");
  const ajv_o = g(onObjects, "ajv(obj) allErrors");
  results[group] = { events: n, ns: { ours_s, ajv_s, ajv1_s, ours_o, cf_o, cf1_o, ajv_o } };
  rows.push([
    `${group} (${n})`,
    fmtNs(ours_s),
    fmtNs(ajv_s),
    `${(ajv_s / ours_s).toFixed(2)}x`,
    fmtNs(ajv1_s),
    fmtNs(ours_o),
    fmtNs(cf_o),
    `${(cf_o / ours_o).toFixed(1)}x`,
    fmtNs(cf1_o),
    fmtNs(ajv_o),
  ]);
}

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(results));
} else {
  console.log(`### Validation (Node ${process.version}, median of ${RUNS} runs, ${CLOCK === "cpu" ? "process CPU time" : "wall-clock"}, per event; speed-up = other / ours, > 1 means we are faster)\n`);
  console.log(
    table(
      ["events", "ours(string)", "ajv(JSON.parse) allErrors", "speed-up vs ajv", "ajv first-error", "ours(object)", "cfworker all errors", "speed-up vs cfworker", "cfworker shortCircuit", "ajv(object) allErrors"],
      rows,
    ),
  );
  console.log(`\nvalid = the ${valid.length} upstream positive examples of ${VERSIONS.join(" and ")}; invalid = ${invalid11.length} mutated 1.1 examples + ${invalid21.length} upstream 2.1 negative examples.`);
}
