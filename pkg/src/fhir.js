// toFhirAuditEvent: a bh-audit-schema event as a FHIR R5 AuditEvent resource, following the
// bh-audit-schema FHIR profile. The mapping is the core's (src/fhir.rs); this file only moves
// text across and turns refusals into ValidationError.
import { fhirAuditEventJson, reinstantiate } from "../dist/trail/glue.js";
import { ValidationError } from "./errors.js";
import { trailWasmState as wasmState, recover } from "./memory.js";
import { assertPlainInput, TOO_BIG, MAX_INPUT_LENGTH } from "./plain.js";

const TOO_LARGE = `the event is larger than the input limit (${MAX_INPUT_LENGTH} characters as JSON)`;
const INPUT_FAILURE = "the event could not be converted to JSON (a cyclic structure, a BigInt, a symbol, a function, or a getter that throws)";

/**
 * The core's answer for an event's JSON text: `{ json }` (the resource as compact JSON text) or
 * `{ errors }` (why it cannot be converted; never a value). For the CLI; not exported by the package.
 */
export function fhirFromText(text) {
  recover(wasmState, reinstantiate);
  let out;
  try {
    out = fhirAuditEventJson(text);
  } catch {
    wasmState.poisoned = true; // replaced before the next call
    throw new RangeError("toFhirAuditEvent: the wasm core failed on this input (a trap); it is replaced before the next call");
  }
  if (out.charCodeAt(0) === 33) return { errors: JSON.parse(out.slice(1)) }; // "!"
  return { json: out };
}

/**
 * The FHIR R5 AuditEvent resource for an event (object or JSON text): 2.0 and 2.1 events claim
 * the profile version of their schema_version; 1.x events are mapped the same way and claim no
 * profile (there is none for 1.x). Throws ValidationError when the event is invalid against its
 * schema, or holds a value no R5 primitive accepts where the mapping puts it.
 */
export function toFhirAuditEvent(event) {
  let text = event;
  if (typeof event !== "string") {
    try {
      assertPlainInput(event); // the facade's rule: nothing JSON.stringify would silently drop
      text = JSON.stringify(event);
    } catch (e) {
      throw new ValidationError([{ instancePath: "", schemaPath: "", keyword: "input", message: e === TOO_BIG ? TOO_LARGE : INPUT_FAILURE }]);
    }
    if (text === undefined) text = "null";
  }
  if (typeof text !== "string" || text.length > MAX_INPUT_LENGTH) {
    throw new ValidationError([{ instancePath: "", schemaPath: "", keyword: "input", message: typeof text === "string" ? TOO_LARGE : INPUT_FAILURE }]);
  }
  const r = fhirFromText(text);
  if (r.errors) throw new ValidationError(r.errors);
  return JSON.parse(r.json);
}
