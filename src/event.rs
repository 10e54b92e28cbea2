//! Building and preparing events: the reference's `audit()` / `_prepare()` pipeline.
//!
//! Events are JSON objects whose keys follow the schema's property order. Blocks the caller
//! passes (actor, resource, outcome, correlation) are copied as given: a key the schema does
//! not know is not passed through silently, it makes the event fail validation, reported by
//! path, so a stray `ssn` field can never reach a log.

use serde_json::{Map, Value};

use crate::config::{Config, Redaction};
use crate::diagnostics::{Diagnostics, Level};
use crate::validator::{ValidationIssue, Validator};
use crate::{SchemaVersion, Timestamp};

/// Top-level properties in the schema's order (1.0 and 1.1 share it).
pub(crate) const TOP_ORDER: &[&str] = &[
    "schema_version",
    "event_id",
    "timestamp",
    "service",
    "correlation",
    "actor",
    "action",
    "resource",
    "http",
    "outcome",
    "integrity",
    "metadata",
    "delegation",
    "attribution",
];

/// Property order inside each block, as the schema lists it.
pub(crate) fn block_order(block: &str) -> &'static [&'static str] {
    match block {
        "service" => &["name", "environment", "version"],
        "correlation" => &["request_id", "trace_id", "session_id"],
        "actor" => &[
            "subject_id",
            "subject_type",
            "org_id",
            "owner_org_id",
            "roles",
        ],
        "action" => &["type", "name", "phi_touched", "data_classification"],
        "resource" => &["type", "id", "patient_id"],
        "http" => &[
            "method",
            "route_template",
            "status_code",
            "client_ip",
            "user_agent",
        ],
        "outcome" => &["status", "error_type", "error_message"],
        "integrity" => &["event_hash", "prev_event_hash", "hash_alg"],
        _ => &[],
    }
}

/// Reorder `map` so `order`'s keys come first, in that order; other keys keep their order after.
fn reorder(map: Map<String, Value>, order: &[&str]) -> Map<String, Value> {
    if order.is_empty() || in_order(&map, order) {
        return map;
    }
    let mut src = map;
    let mut out = Map::with_capacity(src.len());
    for k in order {
        if let Some((k, v)) = src.shift_remove_entry(*k) {
            out.insert(k, v);
        }
    }
    out.extend(src);
    out
}

/// Whether `map`'s keys already follow `order` (known keys first, in order; others after).
fn in_order(map: &Map<String, Value>, order: &[&str]) -> bool {
    let mut next = 0;
    let mut seen_unknown = false;
    for k in map.keys() {
        match order.iter().skip(next).position(|o| *o == k) {
            Some(i) if !seen_unknown => next += i + 1,
            Some(_) => return false,
            None => {
                if order.contains(&k.as_str()) {
                    return false;
                }
                seen_unknown = true;
            }
        }
    }
    true
}

/// Put an event's keys, and each block's keys, in the schema's property order.
pub fn canonical_order(event: Map<String, Value>) -> Map<String, Value> {
    let mut ev = reorder(event, TOP_ORDER);
    for (k, v) in ev.iter_mut() {
        if let Value::Object(block) = v {
            let order = block_order(k);
            if !order.is_empty() {
                *block = reorder(std::mem::take(block), order);
            }
        }
    }
    ev
}

/// Python truthiness of a JSON value (`None`, `False`, `0`, `""`, `{}`, `[]` are false).
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// An error given to `audit()`: an exception (its class name becomes `error_type`) or a
/// plain message (`error_type` = `"ApplicationError"`). Either makes the outcome FAILURE.
#[derive(Clone, Debug, PartialEq)]
pub enum AuditError {
    /// An exception of class `type_name` whose text is `message`.
    Exception {
        /// The exception's class name (`ValueError`, `TypeError`, ...).
        type_name: String,
        /// The exception's text (`str(exc)` in Python, `err.message` in JS).
        message: String,
    },
    /// A plain error message.
    Message(String),
}

/// The inputs of one `audit()` call besides the action type. Blocks are JSON objects in the
/// schema's shape (snake_case keys); `None` means "not given".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditRequest {
    /// `actor` block; missing `subject_id` / `subject_type` take the configured defaults.
    pub actor: Option<Value>,
    /// `resource` block; default `{"type": "unknown"}`.
    pub resource: Option<Value>,
    /// `outcome` block; default SUCCESS (ignored when `error` is given).
    pub outcome: Option<Value>,
    /// `correlation` block (omitted when empty).
    pub correlation: Option<Value>,
    /// Metadata, filtered through the allowlist.
    pub metadata: Option<Value>,
    /// `action.phi_touched`.
    pub phi_touched: Option<Value>,
    /// `action.data_classification` (default `"UNKNOWN"`).
    pub data_classification: Option<Value>,
    /// `action.name`.
    pub action_name: Option<Value>,
    /// An error: makes the outcome FAILURE.
    pub error: Option<AuditError>,
    /// `delegation` block (schema 2.x): who the acting agent is and which human authorized it.
    /// Kept as given (an empty object too); on a 1.x target see `agentEventDowngradeMode`.
    pub delegation: Option<Value>,
    /// `attribution` block (schema 2.1): `{level, method}`, how the delegation is known.
    pub attribution: Option<Value>,
}

impl AuditRequest {
    /// The reference's `audit_login_success`: outcome SUCCESS (any error ignored), resource
    /// `{"type": "Session"}` unless one is given.
    pub fn login_success(mut self) -> AuditRequest {
        self.default_session();
        self.outcome = Some(serde_json::json!({"status": "SUCCESS"}));
        self.error = None;
        self
    }

    /// The reference's `audit_login_failure`: resource `{"type": "Session"}` unless one is
    /// given; the error defaults to `"Login failed"` when absent or empty.
    pub fn login_failure(mut self) -> AuditRequest {
        self.default_session();
        let empty = match &self.error {
            None => true,
            Some(AuditError::Message(m)) => m.is_empty(),
            Some(AuditError::Exception { .. }) => false,
        };
        if empty {
            self.error = Some(AuditError::Message("Login failed".into()));
        }
        self
    }

    /// `audit_access_denied` (bh-audit-logger 1.x): outcome DENIED with `error_type` (default
    /// `"AccessDenied"` when absent or null) and `error_message` when truthy; any error ignored.
    pub fn access_denied(
        mut self,
        error_type: Option<Value>,
        error_message: Option<Value>,
    ) -> AuditRequest {
        let mut o = Map::with_capacity(3);
        o.insert("status".into(), Value::String("DENIED".into()));
        let error_type = error_type
            .filter(|v| !v.is_null())
            .unwrap_or_else(|| Value::String("AccessDenied".into()));
        o.insert("error_type".into(), error_type);
        if let Some(m) = error_message.filter(truthy) {
            o.insert("error_message".into(), m);
        }
        self.outcome = Some(Value::Object(o));
        self.error = None;
        self
    }

    fn default_session(&mut self) {
        if !self.resource.as_ref().is_some_and(truthy) {
            self.resource = Some(serde_json::json!({"type": "Session"}));
        }
    }
}

/// Builds and prepares events for one configuration. Holds no mutable state, so hosts
/// (the wasm layer, [`crate::AuditLogger`]) share it and keep clocks, ids, sinks themselves.
#[derive(Debug)]
pub struct EventBuilder {
    config: Config,
}

/// A prepared event and what validation found.
#[derive(Debug)]
pub struct Prepared {
    /// The event, in the schema's property order.
    pub event: Map<String, Value>,
    /// Validation issues; empty when the event is valid.
    pub issues: Vec<ValidationIssue>,
}

impl EventBuilder {
    /// A builder for a validated configuration.
    pub fn new(config: Config) -> Result<EventBuilder, crate::Error> {
        config.validate()?;
        Validator::for_version(config.schema_version)?;
        Ok(EventBuilder { config })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sanitize an error message with the configured redaction profile and cap.
    pub(crate) fn sanitize(&self, message: &str) -> String {
        let max = self.config.error_message_max_len;
        match self.config.redaction {
            Redaction::Reference => crate::sanitize_error_message(message, max),
            Redaction::Strict => crate::sanitize::strict_sanitize_error_message(message, max),
        }
    }

    /// Sanitize an outcome's `error_message` in place, as the reference does: a string is
    /// sanitized; a falsy value (`null`, `false`, `0`, empty) becomes `""` (its
    /// `if not message: return ""`); anything else is left for validation to reject.
    fn sanitize_outcome_message(&self, outcome: &mut Map<String, Value>) {
        match outcome.get_mut("error_message") {
            Some(Value::String(m)) => *m = self.sanitize(m),
            Some(v) if !truthy(v) => *v = Value::String(String::new()),
            _ => {}
        }
    }

    /// Assemble the event for `audit(action_type, req)` at `now` with id `event_id`
    /// (the reference's `audit()` before `_prepare`). `event_id` may be any JSON value a
    /// host's id factory produced; a non-UUID fails validation.
    ///
    /// Agent data is settled first ([`crate::agent`]): on a 1.x target it is refused or
    /// stripped per `agentEventDowngradeMode`, on 2.1 the attribution rules apply; a refusal
    /// is [`crate::Error::Agent`], whatever the failure modes.
    pub fn build(
        &self,
        action_type: Value,
        req: AuditRequest,
        now: Option<Timestamp>,
        event_id: Value,
        diag: &mut dyn Diagnostics,
    ) -> Result<(Map<String, Value>, Vec<ValidationIssue>), crate::Error> {
        let cfg = &self.config;
        let mut pre = Vec::new();
        let mut ev = Map::with_capacity(12);
        ev.insert(
            "schema_version".into(),
            Value::String(cfg.schema_version.as_str().into()),
        );
        ev.insert("event_id".into(), event_id);
        let ts = match now.and_then(Timestamp::format) {
            Some(s) => s,
            None => {
                pre.push(ValidationIssue {
                    instance_path: "/timestamp".into(),
                    schema_path: "/properties/timestamp/format".into(),
                    keyword: "format".into(),
                    message: "the time source gave an instant outside years 0000 to 9999".into(),
                    rule: None,
                });
                String::new()
            }
        };
        ev.insert("timestamp".into(), Value::String(ts));

        let mut service = Map::with_capacity(3);
        service.insert("name".into(), Value::String(cfg.service_name.clone()));
        service.insert(
            "environment".into(),
            Value::String(cfg.service_environment.clone()),
        );
        if let Some(v) = cfg.service_version.as_ref().filter(|v| !v.is_empty()) {
            service.insert("version".into(), Value::String(v.clone()));
        }
        ev.insert("service".into(), Value::Object(service));

        if let Some(c) = req.correlation.filter(truthy) {
            ev.insert("correlation".into(), reorder_block(c, "correlation"));
        }

        let actor = match req.actor.filter(truthy) {
            Some(Value::Object(mut a)) => {
                a.entry("subject_id")
                    .or_insert_with(|| Value::String(cfg.default_actor_id.clone()));
                a.entry("subject_type")
                    .or_insert_with(|| Value::String(cfg.default_actor_type.as_str().into()));
                Value::Object(reorder(a, block_order("actor")))
            }
            Some(other) => other,
            None => {
                let mut a = Map::with_capacity(2);
                a.insert(
                    "subject_id".into(),
                    Value::String(cfg.default_actor_id.clone()),
                );
                a.insert(
                    "subject_type".into(),
                    Value::String(cfg.default_actor_type.as_str().into()),
                );
                Value::Object(a)
            }
        };
        let settled = crate::agent::enforce_target(
            cfg,
            &action_type,
            actor,
            req.delegation.filter(|v| !v.is_null()),
            req.attribution.filter(|v| !v.is_null()),
            diag,
        )?;
        ev.insert("actor".into(), settled.actor);

        let mut action = Map::with_capacity(4);
        action.insert("type".into(), action_type);
        if let Some(name) = req.action_name.filter(|v| !v.is_null()) {
            action.insert("name".into(), name);
        }
        if let Some(p) = req.phi_touched.filter(|v| !v.is_null()) {
            action.insert("phi_touched".into(), p);
        }
        let dc = req
            .data_classification
            .filter(truthy)
            .unwrap_or_else(|| Value::String("UNKNOWN".into()));
        action.insert("data_classification".into(), dc);
        ev.insert("action".into(), Value::Object(action));

        let resource = match req.resource.filter(truthy) {
            Some(r) => reorder_block(r, "resource"),
            None => {
                let mut r = Map::with_capacity(1);
                r.insert("type".into(), Value::String("unknown".into()));
                Value::Object(r)
            }
        };
        ev.insert("resource".into(), resource);
        ev.insert("outcome".into(), self.build_outcome(req.outcome, req.error));

        if let Some(m) = req.metadata.filter(truthy) {
            ev.insert("metadata".into(), m);
        }
        if let Some(d) = settled.delegation {
            ev.insert("delegation".into(), d);
        }
        if let Some(a) = settled.attribution {
            ev.insert("attribution".into(), a);
        }
        Ok((ev, pre))
    }

    fn build_outcome(&self, outcome: Option<Value>, error: Option<AuditError>) -> Value {
        let cfg = &self.config;
        if let Some(error) = error {
            let (type_name, message) = match error {
                AuditError::Exception { type_name, message } => (type_name, message),
                AuditError::Message(m) => ("ApplicationError".to_string(), m),
            };
            let message = if cfg.sanitize_errors {
                self.sanitize(&message)
            } else {
                message
            };
            let mut o = Map::with_capacity(3);
            o.insert("status".into(), Value::String("FAILURE".into()));
            o.insert("error_type".into(), Value::String(type_name));
            o.insert("error_message".into(), Value::String(message));
            return Value::Object(o);
        }
        match outcome.filter(truthy) {
            Some(Value::Object(mut o)) => {
                if cfg.sanitize_errors {
                    self.sanitize_outcome_message(&mut o);
                }
                if cfg.schema_version == SchemaVersion::V1_0
                    && o.get("status").and_then(Value::as_str) == Some("DENIED")
                {
                    o.insert("status".into(), Value::String("FAILURE".into()));
                    if !o.contains_key("error_message") {
                        let m = o
                            .get("error_type")
                            .cloned()
                            .unwrap_or_else(|| Value::String("AccessDenied".into()));
                        o.insert("error_message".into(), m);
                    }
                }
                Value::Object(reorder(o, block_order("outcome")))
            }
            Some(other) => other,
            None => {
                let mut o = Map::with_capacity(1);
                o.insert("status".into(), Value::String("SUCCESS".into()));
                Value::Object(o)
            }
        }
    }

    /// The reference's `_prepare`: metadata allowlist, error sanitization, then validation
    /// against the event's declared schema version (1.0 or 1.1) plus the reference's own
    /// minimal rules. `pre` carries issues the builder already found.
    pub fn prepare(
        &self,
        event: Map<String, Value>,
        mut pre: Vec<ValidationIssue>,
        diag: &mut dyn Diagnostics,
    ) -> Prepared {
        let mut ev = self.apply_metadata_allowlist(event, diag);
        if self.config.sanitize_errors {
            if let Some(Value::Object(o)) = ev.get_mut("outcome") {
                self.sanitize_outcome_message(o);
            }
        }
        let value = Value::Object(ev);
        let version = value
            .get("schema_version")
            .and_then(Value::as_str)
            .and_then(SchemaVersion::parse);
        match version.map(Validator::for_version) {
            Some(Ok(validator)) => pre.extend(validator.validate(&value)),
            Some(Err(_)) | None => pre.push(ValidationIssue {
                instance_path: "/schema_version".into(),
                schema_path: String::new(),
                keyword: "enum".into(),
                message: "must be one of the versions this logger emits: 1.0, 1.1, 2.0, 2.1".into(),
                rule: None,
            }),
        }
        reference_rules(&value, &mut pre);
        let Value::Object(ev) = value else {
            return Prepared {
                event: Map::new(),
                issues: pre,
            };
        };
        Prepared {
            event: ev,
            issues: pre,
        }
    }

    fn apply_metadata_allowlist(
        &self,
        mut ev: Map<String, Value>,
        diag: &mut dyn Diagnostics,
    ) -> Map<String, Value> {
        let Some(raw) = ev.get_mut("metadata") else {
            return ev;
        };
        if raw.is_null() {
            return ev;
        }
        let allow = &self.config.metadata_allowlist;
        if allow.is_empty() {
            ev.shift_remove("metadata");
            return ev;
        }
        let Value::Object(meta) = raw else {
            // Not an object: leave it for validation to report (`/metadata` must be an object).
            return ev;
        };
        let max = self.config.max_metadata_value_length;
        let mut kept = Map::with_capacity(meta.len());
        for (k, v) in std::mem::take(meta) {
            if !allow.contains(&k) {
                if diag.enabled(Level::Warn) {
                    diag.report(
                        Level::Warn,
                        &format!(
                            "dropping metadata key not in the allowlist: {}",
                            safe_name(&k)
                        ),
                    );
                }
                continue;
            }
            match v {
                Value::Array(_) | Value::Object(_) => {
                    let kind = if v.is_array() { "array" } else { "object" };
                    diag.report(
                        Level::Warn,
                        &format!(
                            "dropping metadata key {}: value is an {kind}, not a scalar",
                            safe_name(&k)
                        ),
                    );
                }
                Value::String(s) => {
                    let v = match s.char_indices().nth(max) {
                        Some((cut, _)) => {
                            let mut t = s;
                            t.truncate(cut);
                            t.push_str("...");
                            t
                        }
                        None => s,
                    };
                    kept.insert(k, Value::String(v));
                }
                other => {
                    kept.insert(k, other);
                }
            }
        }
        if kept.is_empty() {
            ev.shift_remove("metadata");
        } else if let Some(slot) = ev.get_mut("metadata") {
            *slot = Value::Object(kept);
        }
        ev
    }

    /// Make an event that failed validation safe to emit anyway (`log_and_emit`): remove every
    /// property the schema does not allow (`additionalProperties`) and replace every other
    /// invalid scalar with `"[INVALID]"`, so neither a stray field nor a bad value (which may
    /// hold PHI) reaches a log.
    pub fn make_safe_to_emit(&self, event: &mut Map<String, Value>, issues: &[ValidationIssue]) {
        for issue in issues {
            let parts: Vec<String> = issue
                .instance_path
                .split('/')
                .skip(1)
                .map(unescape_pointer)
                .collect();
            if issue.keyword == "additionalProperties" {
                remove_path(event, &parts);
            } else {
                mask_path(event, &parts);
            }
        }
    }
}

fn mask_path(map: &mut Map<String, Value>, parts: &[String]) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    let Some(slot) = map.get_mut(first) else {
        return;
    };
    let mut cur = slot;
    for p in rest {
        cur = match cur {
            Value::Object(m) => match m.get_mut(p) {
                Some(v) => v,
                None => return,
            },
            Value::Array(a) => match p.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    if !matches!(cur, Value::Object(_) | Value::Array(_)) {
        *cur = Value::String("[INVALID]".into());
    }
}

fn remove_path(map: &mut Map<String, Value>, parts: &[String]) {
    match parts {
        [] => {}
        [last] => {
            map.shift_remove(last);
        }
        [first, rest @ ..] => {
            if let Some(Value::Object(inner)) = map.get_mut(first) {
                remove_path(inner, rest);
            }
        }
    }
}

fn reorder_block(v: Value, block: &str) -> Value {
    match v {
        Value::Object(m) => Value::Object(reorder(m, block_order(block))),
        other => other,
    }
}

fn unescape_pointer(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

/// A metadata key for a diagnostic: sanitized (so an identifier used as a key is redacted)
/// and capped, since keys come from the caller.
fn safe_name(key: &str) -> String {
    format!("'{}'", crate::sanitize_error_message(key, 64))
}

/// The reference's `validate_event_minimal` rules that the schema does not already imply:
/// `event_id` must be a UUID (schema 1.0 only asks for 16 characters) and a FAILURE outcome
/// needs a non-empty `error_message` (the schema only requires the key).
fn reference_rules(ev: &Value, issues: &mut Vec<ValidationIssue>) {
    if let Some(Value::String(id)) = ev.get("event_id") {
        if !is_uuid(id) && !issues.iter().any(|i| i.instance_path == "/event_id") {
            issues.push(ValidationIssue {
                instance_path: "/event_id".into(),
                schema_path: String::new(),
                keyword: "format".into(),
                message: "must be a UUID (8-4-4-4-12 hex digits)".into(),
                rule: None,
            });
        }
    }
    if let Some(Value::Object(o)) = ev.get("outcome") {
        if o.get("status").and_then(Value::as_str) == Some("FAILURE") {
            if let Some(Value::String(m)) = o.get("error_message") {
                if m.is_empty() {
                    issues.push(ValidationIssue {
                        instance_path: "/outcome/error_message".into(),
                        schema_path: String::new(),
                        keyword: "minLength".into(),
                        message: "must not be empty when outcome.status is FAILURE".into(),
                        rule: None,
                    });
                }
            }
        }
    }
}

/// `8-4-4-4-12` hexadecimal digits (any version), as the reference checks.
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_order_follows_the_schema_and_keeps_unknown_keys_last() {
        let ev = json!({"outcome": {"error_type": "E", "status": "FAILURE"}, "schema_version": "1.1",
                        "zz": 1, "actor": {"x": 1, "subject_type": "human", "subject_id": "u"}});
        let Value::Object(m) = ev else { unreachable!() };
        let out = Value::Object(canonical_order(m));
        assert_eq!(
            out.to_string(),
            r#"{"schema_version":"1.1","actor":{"subject_id":"u","subject_type":"human","x":1},"outcome":{"status":"FAILURE","error_type":"E"},"zz":1}"#
        );
        let ordered = out
            .get("actor")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        assert!(in_order(&ordered, block_order("actor")));
    }
}
