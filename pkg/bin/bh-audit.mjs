#!/usr/bin/env node
// bh-audit verify FILE.jsonl [--format human|json]
// bh-audit fhir FILE|- [--format human|json]   (see fhir.mjs)
// Exit codes as the Python CLI: 0 chain intact, 1 integrity failure, 2 usage or input error.
import { readFileSync } from "node:fs";
import { verifyChain } from "../src/node.mjs";

const USAGE = "usage: bh-audit verify FILE.jsonl [--format human|json]\n       bh-audit fhir FILE|- [--format human|json]";

function main(argv) {
  const args = [...argv];
  let format = "human";
  const i = args.findIndex((a) => a === "--format" || a.startsWith("--format="));
  if (i >= 0) {
    format = args[i].includes("=") ? args[i].split("=")[1] : args[i + 1];
    args.splice(i, args[i].includes("=") ? 1 : 2);
  }
  if (args[0] === "-h" || args[0] === "--help") {
    console.log(USAGE);
    return 0;
  }
  if (args[0] !== "verify" || args.length !== 2 || !["human", "json"].includes(format)) {
    console.error(USAGE);
    return 2;
  }
  let text;
  try {
    text = readFileSync(args[1], "utf8");
  } catch (e) {
    console.error(`bh-audit: cannot read ${args[1]}: ${e.code ?? "error"}`);
    return 2;
  }
  const report = verifyChain(text);
  if (format === "json") {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`${report.ok ? "PASS" : "FAIL"}: ${report.checked} events checked, ${report.chain_length} chained, ${report.failures.length} failures`);
    for (const f of report.failures) console.log(`  line ${f.line}${f.event_id ? ` (event_id ${f.event_id})` : ""}: ${f.reason}`);
  }
  return report.exit_code;
}

if (process.argv[2] === "fhir") {
  const { fhirCommand } = await import("./fhir.mjs");
  process.exitCode = await fhirCommand(process.argv.slice(3));
} else {
  process.exitCode = main(process.argv.slice(2));
}
