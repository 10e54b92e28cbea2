// `bh-audit fhir FILE|- [--format human|json]`: each event line of a JSONL trail becomes one
// line of NDJSON on stdout, its FHIR R5 AuditEvent resource (the core's mapping, src/fhir.rs).
// Streams the input in chunks (memory does not grow with the file). Lines that cannot be
// converted are reported on stderr by line number, path and rule, never with a value.
// Exit codes: 0 every event line converted, 1 some not, 2 usage error or unreadable input.
import { createReadStream } from "node:fs";
import "../src/trail-node.mjs"; // instantiates the auditor's wasm module
import { fhirFromText } from "../src/fhir.js";
import { LineSplitter, MAX_LINE_BYTES } from "../src/lines.js";
import { clean, cleanJsonText } from "./clean.mjs";

export const FHIR_USAGE = "usage: bh-audit fhir FILE|- [--format human|json]   (NDJSON of FHIR R5 AuditEvent resources on stdout)";

/** Lines longer than this are refused without being held in memory whole (the verifiers' limit). */
const MAX_LINE = MAX_LINE_BYTES;
/** Failures reported one by one; past this, only counted. */
const MAX_REPORTED = 100;

/** Thrown out of the read loop when stdout fails (a closed pipe). */
class WriteFailure extends Error {}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * An issue's instance path as it may be printed: a segment chosen by the event's writer (an
 * unknown member's name, a metadata name) or holding anything but [A-Za-z0-9_] becomes `*`.
 */
function safePath(issue) {
  const path = typeof issue.instancePath === "string" ? issue.instancePath : "";
  if (path === "") return "/";
  const segs = path.split("/").slice(1);
  const userNamed = issue.keyword === "additionalProperties" || issue.keyword === "propertyNames";
  let underMetadata = false;
  return "/" + segs.map((s, i) => {
    const hide = underMetadata || (userNamed && i === segs.length - 1) || !/^[A-Za-z0-9_]{1,64}$/.test(s);
    if (s === "metadata" && i === 0) underMetadata = true;
    return hide ? "*" : s;
  }).join("/");
}

/** Printable ASCII only (messages come from the schema and the core; this is a last guard). */
function printable(s) {
  return String(s).replace(/[^\x20-\x7e]/g, "?");
}

function parseArgs(args) {
  let format = "human";
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--format") format = args[++i];
    else if (a.startsWith("--format=")) format = a.slice("--format=".length);
    else rest.push(a);
  }
  if (rest.length !== 1 || !["human", "json"].includes(format)) return null;
  if (rest[0].startsWith("-") && rest[0] !== "-") return null;
  return { file: rest[0], format };
}

/**
 * Run the subcommand. `args`: what follows `fhir` on the command line. `io`: the streams
 * (defaults to the process's). Resolves to the exit code.
 */
export async function fhirCommand(args, io = {}) {
  const stdin = io.stdin ?? process.stdin;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const say = (line) => stderr.write(clean(line) + "\n");
  if (args.length === 1 && (args[0] === "-h" || args[0] === "--help")) {
    stdout.write(FHIR_USAGE + "\n");
    return 0;
  }
  const opts = parseArgs(args);
  if (!opts) {
    say(FHIR_USAGE);
    return 2;
  }

  let converted = 0;
  let failed = 0;
  let lineNo = 0;
  let out = [];

  const fail = (line, errors) => {
    failed++;
    if (failed > MAX_REPORTED) return;
    if (opts.format === "json") {
      const list = errors.map((e) => ({ instancePath: safePath(e), keyword: printable(e.keyword), message: printable(e.message) }));
      say(JSON.stringify({ line, errors: list }));
    } else {
      const text = errors.slice(0, 5).map((e) => (e.keyword === "input" ? printable(e.message) : `${safePath(e)}: ${printable(e.message)} (${printable(e.keyword)})`)).join("; ");
      say(`line ${line}: not convertible: ${text}${errors.length > 5 ? `; and ${errors.length - 5} more` : ""}`);
    }
  };
  const lineError = (message) => [{ instancePath: "", keyword: "input", message }];

  // Lines split as the other subcommands split them (the core's splitter: "\n", "\r\n", "\r").
  const splitter = new LineSplitter({ max: MAX_LINE });
  const endLine = (bytes) => {
    lineNo++;
    if (bytes === LineSplitter.TOO_LONG) {
      fail(lineNo, lineError(`the line is longer than ${MAX_LINE} bytes`));
      return;
    }
    if (bytes.every((b) => b === 32 || b === 9)) return; // blank line
    let text;
    try {
      text = decoder.decode(bytes);
    } catch {
      fail(lineNo, lineError("the line is not valid utf-8"));
      return;
    }
    const r = fhirFromText(text);
    if (r.json !== undefined) {
      converted++;
      out.push(cleanJsonText(r.json), "\n"); // escaped as the other subcommands' JSON output
    } else {
      fail(lineNo, r.errors);
    }
  };
  let outError = null;
  const onOutError = (e) => {
    outError = e ?? new Error("write failed");
  };
  stdout.on?.("error", onOutError); // kept: a closed pipe may report after the last write
  const flush = async () => {
    if (out.length > 0 && !outError) {
      const text = out.join("");
      out = [];
      if (!stdout.write(text)) {
        await new Promise((resolve) => {
          const done = () => {
            stdout.off?.("drain", done);
            stdout.off?.("close", done);
            stdout.off?.("error", done);
            resolve();
          };
          stdout.once("drain", done);
          stdout.once?.("close", done);
          stdout.once?.("error", done);
        });
      }
    }
    if (outError) throw new WriteFailure();
  };

  const input = opts.file === "-" ? stdin : createReadStream(opts.file, { highWaterMark: 1 << 16 });
  let sawBytes = false;
  try {
    for await (const chunk of input) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      sawBytes ||= buf.length > 0;
      for (const line of splitter.push(buf)) endLine(line);
      await flush();
    }
    for (const line of splitter.end()) endLine(line);
    await flush();
  } catch (e) {
    if (e instanceof WriteFailure) {
      say("bh-audit fhir: cannot write the output");
    } else {
      try {
        await flush();
      } catch {
        // the read error is the one reported
      }
      say(`bh-audit fhir: cannot read the input: ${printable(e?.code ?? "read error")}`);
    }
    input.destroy?.();
    return 2;
  }
  if (failed > MAX_REPORTED) say(`... ${failed - MAX_REPORTED} more lines not convertible`);
  if (opts.format === "json") say(JSON.stringify({ converted, failed }));
  else say(`bh-audit fhir: ${converted} resources written, ${failed} lines not convertible${sawBytes ? "" : " (the input is empty)"}`);
  return failed > 0 ? 1 : 0;
}
