//! FHIR R5 `AuditEvent` export, following the bh-audit-schema FHIR profile (its
//! `docs/fhir/fhir-r5-gap-analysis-and-profile.md`). Where the document leaves a detail open,
//! the schema repository's reference translator (`scripts/translate_to_fhir.py`) decides: for
//! a 2.0 or 2.1 event the resource is the one it produces, member for member and in its order.
//!
//! # The mapping
//!
//! | event | resource |
//! |---|---|
//! | `event_id` | `id` |
//! | `timestamp` | `recorded` |
//! | `schema_version` | `meta.profile`: `…/fhir/2.0/StructureDefinition/bh-audit-event` or `…/fhir/2.1/…` |
//! | `service.name` | `source.observer` (opaque identifier reference) |
//! | `actor` | one agent: `direct` (`requestor` true) when nothing is delegated; `authenticating-identity` (false) beside `acting-identity` (false, with the `agent-descriptor` extension) and `authorizing-identity` (true) when `delegation` is present; `unattributed` (false) alone at attribution level `unattributed` (2.1). `actor.roles` → `agent.role` |
//! | `delegation.*`, `attribution.*` | extensions `delegation-type`, `agent-session-id`, `chain-depth`, `parent-agent-session-id`, `attribution-level`, `attribution-method` |
//! | `action.type` | `action`: C, R, U, D, else E |
//! | `action.name` | `code` (action-name CodeSystem; the type in lower case when absent) |
//! | `action.data_classification` | `entity.securityLabel` (v3-Confidentiality: PHI R, PII N, NONE and UNKNOWN U) |
//! | `resource.type` / `id` / `patient_id` | `entity.role.text` / `entity.what` / `patient` |
//! | `outcome.status` | `outcome.code`: SUCCESS 0, FAILURE and DENIED 8; DENIED adds the `denied` coding to `outcome.detail` |
//! | `outcome.error_type` | an `outcome.detail` coding |
//! | `http.method` / `route_template` / `status_code` | a `Transaction` entity's `detail` pairs |
//! | `http.client_ip` | `networkString` on the first agent (the credential that connected) |
//! | `metadata` | a `Metadata` entity's `detail` pairs (null values skipped) |
//!
//! Not mapped, as the profile's loss register says (nothing is forced into an element that is
//! not its home): `integrity.*` (a paired Provenance would be the FHIR way), `correlation.*`
//! (no tracing convention yet), and what the reference translator leaves out
//! (`service.environment`/`version`, `actor.org_id`/`owner_org_id`, `delegation.*.org_id`,
//! `action.phi_touched`, `outcome.error_message`, `http.user_agent`). DENIED reads as failure
//! grade 8 to a consumer that ignores the profile's `outcome.detail` coding.
//!
//! # What is refused
//!
//! The event must be valid against its own `schema_version` ([`Error::Validation`] with the
//! schema's issues otherwise). A valid event can still hold a value that no R5 primitive
//! accepts where the mapping puts it (an empty `action.name` as a `code`, a lower-case `t` in
//! `recorded`, an empty metadata string as a `valueString`, ...): the reference translator
//! would emit a resource R5 rejects; this module refuses the event instead, with one issue per
//! such value (keyword `fhir`, `schemaPath` the FHIR element). Messages never hold a value;
//! a metadata member is named by its position, not its name.
//!
//! # Schema 1.x events
//!
//! The profile is versioned with the source schema and has no 1.x version, so a 1.0 or 1.1
//! event becomes a resource without `meta.profile` (it claims no profile), mapped by the same
//! rows: a 1.x event never delegates, so its actor is the single `direct` agent. A 1.0
//! metadata value that is an object or an array has no home (the profile maps scalars only)
//! and is refused.

use std::borrow::Cow;

use serde_json::Value;

use crate::json::read::{self as lite, Lite};
use crate::{Error, SchemaVersion, ValidationIssue};

/// The profile's namespace: every canonical, CodeSystem and extension URL starts with it.
pub const CANONICAL: &str = "https://bh-healthcare.github.io/bh-audit-schema/fhir";

/// The profile canonical a resource claims in `meta.profile` for an event of `version`;
/// `None` for 1.x, which has no profile.
pub fn profile_canonical(version: SchemaVersion) -> Option<&'static str> {
    match version {
        SchemaVersion::V1_0 | SchemaVersion::V1_1 => None,
        SchemaVersion::V2_0 => Some(
            "https://bh-healthcare.github.io/bh-audit-schema/fhir/2.0/StructureDefinition/bh-audit-event",
        ),
        SchemaVersion::V2_1 => Some(
            "https://bh-healthcare.github.io/bh-audit-schema/fhir/2.1/StructureDefinition/bh-audit-event",
        ),
    }
}

/// The R5 `AuditEvent` resource for a bh-audit-schema event (see the module documentation).
///
/// Errors: [`Error::UnsupportedSchemaVersion`] when `schema_version` is missing or unknown;
/// [`Error::Validation`] when the event is invalid against its schema, or holds a value no R5
/// primitive accepts where the mapping puts it.
pub fn to_fhir_audit_event(event: &Value) -> Result<Value, Error> {
    let text = resource(&event.to_string())?;
    crate::json::read::parse_value(&text)
}

/// [`to_fhir_audit_event`] on JSON text, giving the resource as compact JSON text (members in
/// the reference translator's order). Also [`Error::Json`] when the text is not JSON.
pub fn to_fhir_audit_event_str(text: &str) -> Result<String, Error> {
    resource(text)
}

fn resource(text: &str) -> Result<String, Error> {
    let issues = crate::validator::validate_str(text, None)?;
    if !issues.is_empty() {
        return Err(Error::Validation { issues });
    }
    // The validator read the same text with the same reader, so this read succeeds; should it
    // not, the event is refused rather than mapped from a different reading.
    match lite::parse(text) {
        Ok(doc) => map(&doc).map_err(|issues| Error::Validation { issues }),
        Err(_) => Err(Error::Validation {
            issues: vec![issue("", "AuditEvent", "is not json the reader accepts")],
        }),
    }
}

#[inline(never)]
fn issue(path: &str, element: &str, message: &str) -> ValidationIssue {
    ValidationIssue {
        instance_path: path.to_string(),
        schema_path: element.to_string(),
        keyword: "fhir".to_string(),
        message: message.to_string(),
        rule: None,
    }
}

const NOT_CODE: &str = "cannot be a fhir code: it must be non-empty, with single spaces only between non-space characters";
const NOT_STRING: &str = "cannot be a fhir string: it must not be empty";
const NOT_INSTANT: &str = "cannot be a fhir instant: it needs the letters T and Z in upper case, a year from 0001, at most 9 fraction digits and an offset within 14:00 of utc";
const NOT_ID: &str = "cannot be a fhir id: it must be 1 to 64 of a-z, A-Z, 0-9, '-' and '.'";

/// FHIR `code`: `[^\s]+( [^\s]+)*` (whitespace as Unicode has it).
fn is_code(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !s.chars().any(|c| c.is_whitespace() && c != ' ')
}

/// FHIR `id`: `[A-Za-z0-9\-\.]{1,64}`.
fn is_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// FHIR `instant`, for a text the schema already accepted as an RFC 3339 date-time: what the
/// instant's pattern adds is an upper-case `T` and `Z`, a year from 0001, at most nine
/// fraction digits and an offset no further than 14:00 from UTC.
fn is_instant(s: &str) -> bool {
    let b = s.as_bytes();
    if b.get(10) != Some(&b'T') || b.get(..4) == Some(b"0000") {
        return false;
    }
    let Some(rest) = b.get(19..) else {
        return false;
    };
    let (frac, zone) = match rest.first() {
        Some(b'.') => {
            let n = rest
                .iter()
                .skip(1)
                .take_while(|c| c.is_ascii_digit())
                .count();
            (n, rest.get(1 + n..).unwrap_or_default())
        }
        _ => (0, rest),
    };
    if frac > 9 {
        return false;
    }
    match zone {
        b"Z" => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let h = h1.wrapping_sub(b'0') * 10 + h2.wrapping_sub(b'0');
            h < 14 || (h == 14 && *m1 == b'0' && *m2 == b'0')
        }
        _ => false,
    }
}

/// Quoted JSON string literals of the profile's URLs (none needs escaping).
macro_rules! cs {
    ($name:literal) => {
        concat!(
            "\"https://bh-healthcare.github.io/bh-audit-schema/fhir/CodeSystem/",
            $name,
            "\""
        )
    };
}
macro_rules! ext_url {
    ($name:literal) => {
        concat!(
            "{\"url\":\"https://bh-healthcare.github.io/bh-audit-schema/fhir/StructureDefinition/",
            $name,
            "\","
        )
    };
}
const OPAQUE_REF: &str =
    "{\"identifier\":{\"system\":\"https://bh-healthcare.github.io/bh-audit-schema/fhir/Identifier/opaque\",\"value\":";

/// Writes the resource as compact JSON text, member by member in the reference translator's
/// order, collecting every value no R5 primitive accepts.
struct Out {
    text: String,
    issues: Vec<ValidationIssue>,
}

impl Out {
    #[inline(never)]
    fn raw(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// `s` as a JSON string (the crate's one string writer, as the emitted line's).
    #[inline(never)]
    fn quoted(&mut self, s: &str) {
        crate::json::write::write_str(s, &mut self.text);
    }

    #[inline(never)]
    fn string(&mut self, s: &str, path: &str, element: &str) {
        if s.is_empty() {
            self.issues.push(issue(path, element, NOT_STRING));
        }
        self.quoted(s);
    }

    #[inline(never)]
    fn code(&mut self, s: &str, path: &str, element: &str) {
        if !is_code(s) {
            self.issues.push(issue(path, element, NOT_CODE));
        }
        self.quoted(s);
    }

    /// `{"coding":[{"system":<system>,"code":` then the caller's code, then [`Out::end_coding`].
    #[inline(never)]
    fn coding(&mut self, system: &str) {
        self.raw("{\"coding\":[{\"system\":");
        self.raw(system);
        self.raw(",\"code\":");
    }

    fn end_coding(&mut self) {
        self.raw("}]}");
    }

    /// An opaque identifier reference, without its closing brace.
    #[inline(never)]
    fn idref(&mut self, value: &str, path: &str, element: &str) {
        self.raw(OPAQUE_REF);
        self.string(value, path, element);
        self.raw("}");
    }

    /// One agent slice: type (attribution-role), who, requestor, roles, then `tail` (the
    /// acting slice's descriptor), then the network address.
    #[allow(clippy::too_many_arguments)]
    fn agent(
        &mut self,
        role: &str,
        who: &str,
        who_path: &str,
        requestor: bool,
        roles: Option<&Lite<'_>>,
        descriptor: Option<&Lite<'_>>,
        ip: Option<&str>,
    ) {
        self.raw("{\"type\":");
        self.coding(cs!("attribution-role"));
        self.quoted(role);
        self.end_coding();
        self.raw(",\"who\":");
        self.idref(who, who_path, "AuditEvent.agent.who.identifier.value");
        self.raw("}");
        self.raw(if requestor {
            ",\"requestor\":true"
        } else {
            ",\"requestor\":false"
        });
        if let Some(Lite::Arr(items)) = roles {
            if !items.is_empty() {
                self.raw(",\"role\":[");
                for (i, r) in items.iter().enumerate() {
                    self.raw(if i == 0 { "{\"text\":" } else { ",{\"text\":" });
                    self.string(
                        as_str(r),
                        &format!("/actor/roles/{i}"),
                        "AuditEvent.agent.role.text",
                    );
                    self.raw("}");
                }
                self.raw("]");
            }
        }
        if let Some(desc) = descriptor {
            self.raw(",\"extension\":[");
            self.raw(ext_url!("agent-descriptor"));
            self.raw("\"extension\":[{\"url\":\"interface\",\"valueCode\":");
            self.quoted(get_str(desc, "interface"));
            self.raw("}");
            for (key, url) in [
                ("vendor", "vendor"),
                ("model_family", "model-family"),
                ("model_version", "model-version"),
                ("harness", "harness"),
                ("harness_version", "harness-version"),
            ] {
                if let Some(v) = get(desc, key) {
                    self.raw(",{\"url\":\"");
                    self.raw(url);
                    self.raw("\",\"valueString\":");
                    self.string(
                        as_str(v),
                        &format!("/delegation/acting/agent/{key}"),
                        "AuditEvent.agent.extension.valueString",
                    );
                    self.raw("}");
                }
            }
            self.raw("]}]");
        }
        if let Some(ip) = ip {
            self.raw(",\"networkString\":");
            self.string(ip, "/http/client_ip", "AuditEvent.agent.networkString");
        }
        self.raw("}");
    }

    /// One `detail` pair of an entity: `{"type": coding, "valueString": text}`.
    /// One `detail` of the entity `role` (the entity is opened before its first detail;
    /// [`Out::end_details`] closes it).
    fn detail(&mut self, first: bool, role: &str, system: &str, code: &str, value: &str) {
        if first {
            self.raw(",{\"role\":{\"text\":");
            self.quoted(role);
            self.raw("},\"detail\":[{\"type\":");
        } else {
            self.raw(",{\"type\":");
        }
        self.coding(system);
        self.quoted(code);
        self.end_coding();
        self.raw(",\"valueString\":");
        self.quoted(value);
        self.raw("}");
    }

    /// Close the entity [`Out::detail`] opened, if it wrote one.
    fn end_details(&mut self, first: bool) {
        if !first {
            self.raw("]}");
        }
    }
}

fn get<'d, 'a>(v: &'d Lite<'a>, key: &str) -> Option<&'d Lite<'a>> {
    match v {
        Lite::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// The text of a string (`""` for anything else: a valid event has strings there).
fn as_str<'d>(v: &'d Lite<'_>) -> &'d str {
    match v {
        Lite::Str(s) => s,
        _ => "",
    }
}

fn get_str<'d>(v: &'d Lite<'_>, key: &str) -> &'d str {
    get(v, key).map_or("", as_str)
}

/// Python's truthiness of a member as the reference translator tests it (`if x.get(k)`):
/// present and a non-empty string.
fn truthy_str<'d>(v: &'d Lite<'_>, key: &str) -> Option<&'d str> {
    match get(v, key) {
        Some(Lite::Str(s)) if !s.is_empty() => Some(s),
        _ => None,
    }
}

/// A present, non-empty object (Python's truthiness of a dict).
fn truthy_obj<'d, 'a>(v: &'d Lite<'a>, key: &str) -> Option<&'d Lite<'a>> {
    get(v, key).filter(|x| matches!(x, Lite::Obj(m) if !m.is_empty()))
}

/// Python's `str()` of a scalar read by `json.load`: strings as they are, `True` / `False`,
/// integers in full (`-0` is `0`), floats as `float.__repr__`. `None` for anything else.
fn py_str<'d>(v: &'d Lite<'_>) -> Option<Cow<'d, str>> {
    match v {
        Lite::Str(s) => Some(Cow::Borrowed(s)),
        Lite::Bool(true) => Some(Cow::Borrowed("True")),
        Lite::Bool(false) => Some(Cow::Borrowed("False")),
        Lite::Num(t) if !t.contains(['.', 'e', 'E']) => Some(if *t == "-0" {
            Cow::Borrowed("0")
        } else {
            Cow::Borrowed(t)
        }),
        Lite::Num(t) => {
            let mut out = String::new();
            crate::integrity::write_float(&mut out, crate::json::num::parse_json_f64(t)?);
            Some(Cow::Owned(out))
        }
        Lite::Null | Lite::Arr(_) | Lite::Obj(_) => None,
    }
}

fn action_code(action_type: &str) -> &'static str {
    match action_type {
        "READ" => "\"R\"",
        "CREATE" => "\"C\"",
        "UPDATE" => "\"U\"",
        "DELETE" => "\"D\"",
        _ => "\"E\"",
    }
}

fn confidentiality(classification: &str) -> &'static str {
    match classification {
        "PHI" => "\"R\"",
        "PII" => "\"N\"",
        _ => "\"U\"",
    }
}

/// The mapping, on a document already valid against its schema version: the resource's
/// JSON text, or every value no R5 primitive accepts.
fn map(doc: &Lite<'_>) -> Result<String, Vec<ValidationIssue>> {
    let mut out = Out {
        text: String::with_capacity(2048),
        issues: Vec::new(),
    };
    let none = Lite::Null;
    let version = SchemaVersion::parse(get_str(doc, "schema_version"));
    let action = get(doc, "action").unwrap_or(&none);
    let res = get(doc, "resource").unwrap_or(&none);
    let outcome = get(doc, "outcome").unwrap_or(&none);
    let actor = get(doc, "actor").unwrap_or(&none);
    let http = get(doc, "http");
    let delegation = truthy_obj(doc, "delegation");
    let attribution = truthy_obj(doc, "attribution");

    out.raw("{\"resourceType\":\"AuditEvent\",\"id\":");
    let event_id = get_str(doc, "event_id");
    if !is_id(event_id) {
        out.issues.push(issue("/event_id", "AuditEvent.id", NOT_ID));
    }
    out.quoted(event_id);
    if let Some(profile) = version.and_then(profile_canonical) {
        out.raw(",\"meta\":{\"profile\":[");
        out.quoted(profile);
        out.raw("]}");
    }
    out.raw(",\"category\":[");
    out.coding(cs!("event-category"));
    out.raw("\"bh-audit\"");
    out.end_coding();
    out.raw("],\"code\":");
    out.coding(cs!("action-name"));
    let action_type = get_str(action, "type");
    match get(action, "name") {
        Some(n) => out.code(as_str(n), "/action/name", "AuditEvent.code.coding.code"),
        // The enum's names are ASCII.
        None => out.quoted(&action_type.to_ascii_lowercase()),
    }
    out.end_coding();
    out.raw(",\"action\":");
    out.raw(action_code(action_type));
    out.raw(",\"recorded\":");
    let timestamp = get_str(doc, "timestamp");
    if !is_instant(timestamp) {
        out.issues
            .push(issue("/timestamp", "AuditEvent.recorded", NOT_INSTANT));
    }
    out.quoted(timestamp);

    // Agents: the attribution slices when delegated, the unattributed slice at that level,
    // else the single direct agent. The client address goes on the first (the credential
    // that connected).
    let subject = get_str(actor, "subject_id");
    let roles = get(actor, "roles");
    let ip = http.and_then(|h| get(h, "client_ip")).map(as_str);
    out.raw(",\"agent\":[");
    if let Some(d) = delegation {
        out.agent(
            "authenticating-identity",
            subject,
            "/actor/subject_id",
            false,
            roles,
            None,
            ip,
        );
        let acting = get(d, "acting").unwrap_or(&none);
        out.raw(",");
        out.agent(
            "acting-identity",
            get_str(acting, "subject_id"),
            "/delegation/acting/subject_id",
            false,
            None,
            Some(get(acting, "agent").unwrap_or(&none)),
            None,
        );
        out.raw(",");
        out.agent(
            "authorizing-identity",
            get_str(get(d, "authorizing").unwrap_or(&none), "subject_id"),
            "/delegation/authorizing/subject_id",
            true,
            None,
            None,
            None,
        );
    } else if attribution.is_some_and(|a| get_str(a, "level") == "unattributed") {
        out.agent(
            "unattributed",
            subject,
            "/actor/subject_id",
            false,
            roles,
            None,
            ip,
        );
    } else {
        out.agent(
            "direct",
            subject,
            "/actor/subject_id",
            true,
            roles,
            None,
            ip,
        );
    }
    out.raw("],\"source\":{\"observer\":");
    out.idref(
        get_str(get(doc, "service").unwrap_or(&none), "name"),
        "/service/name",
        "AuditEvent.source.observer.identifier.value",
    );
    out.raw("}}");

    // The resource entity; then the transaction and metadata entities.
    out.raw(",\"entity\":[{\"role\":{\"text\":");
    out.string(
        get_str(res, "type"),
        "/resource/type",
        "AuditEvent.entity.role.text",
    );
    out.raw("}");
    if let Some(id) = truthy_str(res, "id") {
        out.raw(",\"what\":");
        out.idref(
            id,
            "/resource/id",
            "AuditEvent.entity.what.identifier.value",
        );
        out.raw("}");
    }
    if let Some(class) = truthy_str(action, "data_classification") {
        out.raw(",\"securityLabel\":[");
        out.coding("\"http://terminology.hl7.org/CodeSystem/v3-Confidentiality\"");
        out.raw(confidentiality(class));
        out.end_coding();
        out.raw("]");
    }
    out.raw("}");

    if let Some(h) = http {
        let mut first = true;
        for key in ["method", "route_template", "status_code"] {
            if let Some(v) = get(h, key) {
                let text = py_str(v).unwrap_or_default();
                if text.is_empty() {
                    out.issues.push(issue(
                        &format!("/http/{key}"),
                        "AuditEvent.entity.detail.valueString",
                        NOT_STRING,
                    ));
                }
                out.detail(first, "Transaction", cs!("http-detail"), key, &text);
                first = false;
            }
        }
        out.end_details(first);
    }

    if let Some(Lite::Obj(members)) = get(doc, "metadata") {
        let mut first = true;
        for (n, (key, v)) in members.iter().enumerate() {
            if matches!(v, Lite::Null) {
                continue;
            }
            let member = n + 1;
            if !is_code(key) {
                out.issues.push(issue(
                    "/metadata",
                    "AuditEvent.entity.detail.type.coding.code",
                    &format!("member {member} (counted from 1): its name {NOT_CODE}"),
                ));
            }
            let Some(text) = py_str(v) else {
                out.issues.push(issue(
                    "/metadata",
                    "AuditEvent.entity.detail",
                    &format!("member {member} (counted from 1): has no fhir home: the profile maps scalar metadata values only (inv-5)"),
                ));
                continue;
            };
            if text.is_empty() {
                out.issues.push(issue(
                    "/metadata",
                    "AuditEvent.entity.detail.valueString",
                    &format!("member {member} (counted from 1): its value {NOT_STRING}"),
                ));
            }
            out.detail(first, "Metadata", cs!("metadata"), key, &text);
            first = false;
        }
        out.end_details(first);
    }
    out.raw("]");

    // Outcome: DENIED is grade 8 to R5, told apart by the profile's `denied` detail coding.
    let status = get_str(outcome, "status");
    out.raw(
        ",\"outcome\":{\"code\":{\"system\":\"http://terminology.hl7.org/CodeSystem/audit-event-outcome\",",
    );
    out.raw(if status == "SUCCESS" {
        "\"code\":\"0\",\"display\":\"Success\"}"
    } else {
        "\"code\":\"8\",\"display\":\"Serious failure\"}"
    });
    let error_type = truthy_str(outcome, "error_type");
    if status == "DENIED" || error_type.is_some() {
        out.raw(",\"detail\":[");
        if status == "DENIED" {
            out.coding(cs!("outcome-detail"));
            out.raw("\"denied\"");
            out.end_coding();
        }
        if let Some(error_type) = error_type {
            if status == "DENIED" {
                out.raw(",");
            }
            out.coding(cs!("error-type"));
            out.code(
                error_type,
                "/outcome/error_type",
                "AuditEvent.outcome.detail.coding.code",
            );
            out.end_coding();
        }
        out.raw("]");
    }
    out.raw("}");

    // Extensions: delegation first, then attribution (which an unattributed event carries
    // without any delegation block).
    if delegation.is_some() || attribution.is_some() {
        out.raw(",\"extension\":[");
        let mut sep = "";
        if let Some(d) = delegation {
            out.raw(ext_url!("delegation-type"));
            out.raw("\"valueCode\":");
            out.quoted(get_str(d, "delegation_type"));
            out.raw("},");
            out.raw(ext_url!("agent-session-id"));
            out.raw("\"valueString\":");
            out.string(
                get_str(d, "agent_session_id"),
                "/delegation/agent_session_id",
                "AuditEvent.extension.valueString",
            );
            out.raw("}");
            if let Some(Lite::Num(depth)) = get(d, "chain_depth") {
                out.raw(",");
                out.raw(ext_url!("chain-depth"));
                out.raw("\"valuePositiveInt\":");
                // The number as written (`2` or `2.0`, as Python's json.dumps keeps it).
                out.raw(&number_text(depth));
                out.raw("}");
            }
            if let Some(parent) = get(d, "parent_agent_session_id") {
                out.raw(",");
                out.raw(ext_url!("parent-agent-session-id"));
                out.raw("\"valueString\":");
                out.string(
                    as_str(parent),
                    "/delegation/parent_agent_session_id",
                    "AuditEvent.extension.valueString",
                );
                out.raw("}");
            }
            sep = ",";
        }
        if let Some(a) = attribution {
            out.raw(sep);
            out.raw(ext_url!("attribution-level"));
            out.raw("\"valueCode\":");
            out.quoted(get_str(a, "level"));
            out.raw("}");
            if let Some(method) = get(a, "method") {
                out.raw(",");
                out.raw(ext_url!("attribution-method"));
                out.raw("\"valueString\":");
                out.string(
                    as_str(method),
                    "/attribution/method",
                    "AuditEvent.extension.valueString",
                );
                out.raw("}");
            }
        }
        out.raw("]");
    }

    if let Some(patient) = truthy_str(res, "patient_id") {
        out.raw(",\"patient\":");
        out.idref(
            patient,
            "/resource/patient_id",
            "AuditEvent.patient.identifier.value",
        );
        out.raw(",\"type\":\"Patient\"}");
    }
    out.raw("}");

    if !out.issues.is_empty() {
        return Err(out.issues);
    }
    Ok(out.text)
}

/// A JSON number as serde_json writes the value it reads from `text` (`2`, `2.0`).
fn number_text(text: &str) -> String {
    crate::json::read::parse_value(text)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fhir_primitives() {
        for ok in ["a", "a b", "read", "x-1.2_é"] {
            assert!(is_code(ok), "{ok:?}");
        }
        for bad in ["", " a", "a ", "a  b", "a\tb", "a\u{a0}b", "\n"] {
            assert!(!is_code(bad), "{bad:?}");
        }
        for ok in [
            "2026-06-12T14:02:11Z",
            "2026-06-12T14:02:11.123456789Z",
            "0001-01-01T00:00:00+14:00",
            "2026-06-12T14:02:11-13:59",
        ] {
            assert!(is_instant(ok), "{ok:?}");
        }
        for bad in [
            "2026-06-12t14:02:11Z",
            "2026-06-12T14:02:11z",
            "0000-06-12T14:02:11Z",
            "2026-06-12T14:02:11.1234567891Z",
            "2026-06-12T14:02:11+14:01",
            "2026-06-12T14:02:11-15:00",
        ] {
            assert!(!is_instant(bad), "{bad:?}");
        }
        assert!(is_id("7c1a2b3d-4e5f-4a6b-8c9d-0e1f2a3b4c5d"));
        assert!(!is_id("a_b") && !is_id("") && !is_id(&"a".repeat(65)));
    }

    #[test]
    fn python_str_of_scalars() {
        let s = |t: &str| {
            let doc = lite::parse(t).unwrap();
            py_str(&doc).map(|c| c.into_owned())
        };
        assert_eq!(s("\"x\"").as_deref(), Some("x"));
        assert_eq!(s("true").as_deref(), Some("True"));
        assert_eq!(s("false").as_deref(), Some("False"));
        assert_eq!(s("-0").as_deref(), Some("0"));
        assert_eq!(
            s("123456789012345678901234567890").as_deref(),
            Some("123456789012345678901234567890")
        );
        assert_eq!(s("1.0").as_deref(), Some("1.0"));
        assert_eq!(s("1e2").as_deref(), Some("100.0"));
        assert_eq!(s("1e16").as_deref(), Some("1e+16"));
        assert_eq!(s("0.00001").as_deref(), Some("1e-05"));
        assert_eq!(s("-0.0").as_deref(), Some("-0.0"));
        assert_eq!(s("null"), None);
        assert_eq!(s("[1]"), None);
    }
}
