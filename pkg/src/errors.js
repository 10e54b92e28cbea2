// What both entries share: the vendored schema versions and the error classes. Internal
// module; the names are public API.
import { publicText } from "./text.js";

/** Vendored bh-audit-schema versions (tests/js/runtime-node.test.mjs checks it equals the core's). */
export const SCHEMA_VERSIONS = Object.freeze(["1.0", "1.1", "2.0", "2.1"]);

/** Thrown by `assertValidEvent`, by `audit`/`emit` with `validationFailureMode: "raise"`, and by `toFhirAuditEvent`. */
export class ValidationError extends Error {
  constructor(errors) {
    const summary = errors.slice(0, 20).map((e) => `${e.instancePath || "/"}: ${e.message} (${e.keyword})`).join("; ");
    const more = errors.length > 20 ? `; and ${errors.length - 20} more` : "";
    super(publicText(`event failed validation: ${summary}${more}`));
    this.name = "ValidationError";
    /** `[{ instancePath, schemaPath, keyword, message }]` */
    this.errors = errors;
  }
}
