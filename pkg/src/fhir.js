// toFhirAuditEvent: a bh-audit-schema event as a FHIR R5 AuditEvent resource, following the
// bh-audit-schema FHIR profile. The mapping is the core's (src/fhir.rs); this file only moves
// text across and turns refusals into ValidationError.
import { fhirAuditEventJson } from "../dist/glue.js";
import { ValidationError } from "./facade.js";
import { wasmState } from "./memory.js";
import { healthy } from "./guard.js";

const INPUT_FAILURE = "the event could not be converted to JSON (a cyclic structure, a BigInt, a symbol, a function, or a getter that throws)";

/**
 * JSON.stringify drops symbol- and function-valued members silently; an event must not change
 * shape on the way in, so they are refused (the facade's assertPlain rule, as a replacer).
 */
function refuseDropped(key, value) {
  const t = typeof value;
  if (t === "function" || t === "symbol") throw new TypeError("unsupported value");
  return value;
}

/**
 * The core's answer for an event's JSON text: `{ json }` (the resource as compact JSON text) or
 * `{ errors }` (why it cannot be converted; never a value). For the CLI; not exported by the package.
 */
export function fhirFromText(text) {
  healthy();
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
      text = JSON.stringify(event, refuseDropped);
    } catch {
      throw new ValidationError([{ instancePath: "", schemaPath: "", keyword: "input", message: INPUT_FAILURE }]);
    }
    if (text === undefined) text = "null";
  }
  const r = fhirFromText(text);
  if (r.errors) throw new ValidationError(r.errors);
  return JSON.parse(r.json);
}
