//! Agent attribution (bh-audit-schema 2.0 and 2.1): the agent helpers' rules, each in one
//! place, as the reference `bh-audit-logger` 2.0.0 applies them, plus the 2.1 attribution
//! rules of RFC 0003 (which the reference cannot emit).
//!
//! - [`AgentAction`] is the reference's `audit_agent_action` arguments; [`AgentAction::apply`]
//!   checks the agent descriptor and builds the agent actor and the `delegation` block.
//! - [`session_request`] and [`override_request`] are the session-lifecycle and
//!   human-override helpers' fixed parts.
//! - [`enforce_target`] is the reference's `_enforce_v2_target` (agent data on a 1.x target:
//!   refuse, or collapse to the authorizing human) and, on 2.1, [`attribution_rules`].
//!
//! Every refusal is [`Error::Agent`], naming the field and, for a schema rule, the rule.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::config::{Config, DowngradeMode};
use crate::event::AuditRequest;
use crate::{Error, SchemaVersion};

/// RFC 0003 R1, as the 2.1 schema's `$comment` states it.
pub const RULE_R1: &str = "RFC 0003 R1. A delegation block must state how it is known, and cannot claim to be unattributed.";
/// RFC 0003 R2, as the 2.1 schema's `$comment` states it.
pub const RULE_R2: &str =
    "RFC 0003 R2. Level unattributed asserts there is no delegation block to describe.";
/// RFC 0003 R3, as the 2.1 schema's `$comment` states it.
pub const RULE_R3: &str =
    "RFC 0003 R3. A level other than unattributed describes a delegation block, so one must exist.";
/// RFC 0003 R4, as the 2.1 schema's `$comment` states it.
pub const RULE_R4: &str = "RFC 0003 R4, amended from 2.0. An agent authenticating identity is explained either by a delegation block or by an explicit unattributed level. Silence remains invalid.";
/// The OVERRIDE rule (RFC 0001 rule 3 as amended by RFC 0003), as the 2.1 schema states it.
pub const RULE_OVERRIDE: &str = "RFC 0001 rule 3, amended by RFC 0003 to also forbid attribution. An override is a named human interrupting an agent session, so there is no agent attribution to state.";

/// The agent descriptor's keys (`delegation.acting.agent`), in the schema's order.
pub const DESCRIPTOR_KEYS: &[&str] = &[
    "interface",
    "vendor",
    "model_family",
    "model_version",
    "harness",
    "harness_version",
];

/// The longest descriptor value the reference accepts, in code points.
pub const DESCRIPTOR_MAX_CHARS: usize = 128;

/// How well the acting agent is bound to its authorizing human (schema 2.1 `attribution.level`).
/// The levels are totally ordered, weakest first, and compare by that order (never as strings):
/// `Unattributed < Asserted < Bound < Verified`.
///
/// ```
/// use bh_audit_logger::agent::AttributionLevel;
/// assert!(AttributionLevel::Asserted < AttributionLevel::Bound);
/// assert_eq!(AttributionLevel::parse("verified"), Some(AttributionLevel::Verified));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttributionLevel {
    /// An agent was involved and no authorizing human could be named.
    Unattributed,
    /// Supplied by the agent in the call itself (forgeable by the agent).
    Asserted,
    /// Operator configuration maps the credential or session to a human.
    Bound,
    /// Derived from a token whose issuer asserted the identities.
    Verified,
}

impl AttributionLevel {
    /// Every level, weakest first.
    pub const ALL: [AttributionLevel; 4] = [
        AttributionLevel::Unattributed,
        AttributionLevel::Asserted,
        AttributionLevel::Bound,
        AttributionLevel::Verified,
    ];

    /// The level a schema string names, if any.
    pub fn parse(s: &str) -> Option<AttributionLevel> {
        AttributionLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The schema's string for this level.
    pub fn as_str(self) -> &'static str {
        match self {
            AttributionLevel::Unattributed => "unattributed",
            AttributionLevel::Asserted => "asserted",
            AttributionLevel::Bound => "bound",
            AttributionLevel::Verified => "verified",
        }
    }
}

/// Compare two attribution levels by their order (`unattributed < asserted < bound <
/// verified`); `None` when either is not a level.
///
/// ```
/// use std::cmp::Ordering;
/// assert_eq!(bh_audit_logger::agent::compare_attribution_levels("bound", "asserted"), Some(Ordering::Greater));
/// assert_eq!(bh_audit_logger::agent::compare_attribution_levels("bound", "high"), None);
/// ```
pub fn compare_attribution_levels(a: &str, b: &str) -> Option<Ordering> {
    Some(AttributionLevel::parse(a)?.cmp(&AttributionLevel::parse(b)?))
}

/// The reference's `audit_agent_action` arguments besides the action type and the event
/// content an [`AuditRequest`] carries. Values are JSON as the caller gave them (the reference
/// checks only the descriptor; the schema checks the rest); `Value::Null` means "not given",
/// and a required one not given is refused.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AgentAction {
    /// The agent's authenticating credential: `actor.subject_id` (required).
    pub agent_subject_id: Value,
    /// The agent descriptor, `delegation.acting.agent` (required): `interface` and optionally
    /// `vendor`, `model_family`, `model_version`, `harness`, `harness_version`, all strings of
    /// at most 128 code points.
    pub agent: Value,
    /// The authorizing human: `delegation.authorizing.subject_id` (required).
    pub authorizing_subject_id: Value,
    /// `delegation.agent_session_id` (required).
    pub agent_session_id: Value,
    /// `delegation.delegation_type`: supervised, autonomous or scheduled (required).
    pub delegation_type: Value,
    /// `delegation.chain_depth` (omitted when `None`; the session helpers default it to 1).
    pub chain_depth: Option<Value>,
    /// `delegation.parent_agent_session_id`.
    pub parent_agent_session_id: Option<Value>,
    /// `delegation.authorizing.org_id`.
    pub authorizing_org_id: Option<Value>,
    /// The acting instance, `delegation.acting.subject_id` (default: `agent_subject_id`).
    pub acting_subject_id: Option<Value>,
}

fn given(v: &Option<Value>) -> Option<&Value> {
    v.as_ref().filter(|v| !v.is_null())
}

fn refuse(field: &str, rule: Option<&'static str>, message: impl Into<String>) -> Error {
    Error::Agent {
        field: field.to_string(),
        rule,
        message: message.into(),
    }
}

/// A key name fit for an error message (sanitized and capped, as diagnostics name keys).
fn safe_key(key: &str) -> String {
    format!("'{}'", crate::sanitize_error_message(key, 64))
}

/// The reference's descriptor checks: an object, only the six keys, `interface` present,
/// every value a string of at most 128 code points. Returns the descriptor as given.
pub fn check_descriptor(agent: &Value) -> Result<Map<String, Value>, Error> {
    let Value::Object(map) = agent else {
        return Err(refuse("agent", None, "agent descriptor must be an object"));
    };
    let mut unknown: Vec<&str> = map
        .keys()
        .map(String::as_str)
        .filter(|k| !DESCRIPTOR_KEYS.contains(k))
        .collect();
    if !unknown.is_empty() {
        unknown.sort_unstable();
        let names: Vec<String> = unknown.iter().map(|k| safe_key(k)).collect();
        return Err(refuse(
            "agent",
            None,
            format!(
                "agent descriptor contains unknown key(s): [{}]",
                names.join(", ")
            ),
        ));
    }
    if !map.contains_key("interface") {
        return Err(refuse(
            "agent.interface",
            None,
            "agent descriptor is missing required key 'interface'",
        ));
    }
    for (k, v) in map {
        let field = format!("agent.{k}");
        let Value::String(s) = v else {
            return Err(refuse(
                &field,
                None,
                format!(
                    "agent descriptor value for '{k}' must be a string, got {}",
                    json_type(v)
                ),
            ));
        };
        let n = s.chars().count();
        if n > DESCRIPTOR_MAX_CHARS {
            return Err(refuse(
                &field,
                None,
                format!("agent descriptor value for '{k}' exceeds {DESCRIPTOR_MAX_CHARS} chars (got {n})"),
            ));
        }
    }
    Ok(map.clone())
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn required(v: &Value, field: &str) -> Result<Value, Error> {
    if v.is_null() {
        return Err(refuse(field, None, format!("{field} is required")));
    }
    Ok(v.clone())
}

impl AgentAction {
    /// The reference's `audit_agent_action`: check the descriptor, then set `req`'s actor to
    /// the agent (`{subject_id, subject_type: "agent"}`, plus any other fields of the
    /// request's own actor, e.g. `org_id`, `roles`) and its `delegation` block (`acting`,
    /// `authorizing`, `delegation_type`, `agent_session_id`, then `chain_depth` and
    /// `parent_agent_session_id` when given), in the reference's key order.
    pub fn apply(self, mut req: AuditRequest) -> Result<AuditRequest, Error> {
        let agent_subject_id = required(&self.agent_subject_id, "agentSubjectId")?;
        if self.agent.is_null() {
            return Err(refuse("agent", None, "agent is required"));
        }
        let authorizing_id = required(&self.authorizing_subject_id, "authorizingSubjectId")?;
        let session = required(&self.agent_session_id, "agentSessionId")?;
        let delegation_type = required(&self.delegation_type, "delegationType")?;
        let descriptor = check_descriptor(&self.agent)?;

        let mut authorizing = Map::with_capacity(3);
        authorizing.insert("subject_id".into(), authorizing_id);
        authorizing.insert("subject_type".into(), Value::String("human".into()));
        if let Some(org) = given(&self.authorizing_org_id) {
            authorizing.insert("org_id".into(), org.clone());
        }
        let acting_id = given(&self.acting_subject_id)
            .cloned()
            .unwrap_or_else(|| agent_subject_id.clone());
        let mut acting = Map::with_capacity(3);
        acting.insert("subject_id".into(), acting_id);
        acting.insert("subject_type".into(), Value::String("agent".into()));
        acting.insert("agent".into(), Value::Object(descriptor));
        let mut delegation = Map::with_capacity(6);
        delegation.insert("acting".into(), Value::Object(acting));
        delegation.insert("authorizing".into(), Value::Object(authorizing));
        delegation.insert("delegation_type".into(), delegation_type);
        delegation.insert("agent_session_id".into(), session);
        if let Some(d) = given(&self.chain_depth) {
            delegation.insert("chain_depth".into(), d.clone());
        }
        if let Some(p) = given(&self.parent_agent_session_id) {
            delegation.insert("parent_agent_session_id".into(), p.clone());
        }

        let mut actor = Map::with_capacity(4);
        actor.insert("subject_id".into(), agent_subject_id);
        actor.insert("subject_type".into(), Value::String("agent".into()));
        if let Some(Value::Object(extra)) = req.actor.take() {
            for (k, v) in extra {
                if k != "subject_id" && k != "subject_type" {
                    actor.insert(k, v);
                }
            }
        }
        req.actor = Some(Value::Object(actor));
        req.delegation = Some(Value::Object(delegation));
        Ok(req)
    }
}

/// The session-lifecycle helpers' fixed parts (`audit_agent_session_start` / `_end`):
/// `chain_depth` defaults to 1, the resource is `{"type": "AgentSession", "id": session}`,
/// `action.name` is `agent_session_start` / `agent_session_end`, `phi_touched` false and
/// classification `NONE`; outcome, error and caller resource are not taken. Returns the
/// action type (CREATE / UPDATE) and the request.
pub fn session_request(
    start: bool,
    mut action: AgentAction,
    req: AuditRequest,
) -> Result<(&'static str, AuditRequest), Error> {
    if given(&action.chain_depth).is_none() {
        action.chain_depth = Some(Value::from(1));
    }
    let session = action.agent_session_id.clone();
    let base = AuditRequest {
        actor: req.actor,
        correlation: req.correlation,
        metadata: req.metadata,
        attribution: req.attribution,
        ..AuditRequest::default()
    };
    let mut out = action.apply(base)?;
    out.resource = Some(agent_session_resource(session));
    out.action_name = Some(Value::String(
        if start {
            "agent_session_start"
        } else {
            "agent_session_end"
        }
        .into(),
    ));
    out.phi_touched = Some(Value::Bool(false));
    out.data_classification = Some(Value::String("NONE".into()));
    Ok((if start { "CREATE" } else { "UPDATE" }, out))
}

fn agent_session_resource(session: Value) -> Value {
    let mut r = Map::with_capacity(2);
    r.insert("type".into(), Value::String("AgentSession".into()));
    r.insert("id".into(), session);
    Value::Object(r)
}

/// The reference's `audit_human_override`: the actor must be an object whose `subject_type`
/// is `"human"`; the resource is the agent session; no delegation; `phi_touched` false and
/// classification `NONE`. Takes the request's actor, action name, outcome, correlation and
/// metadata (what the reference's signature takes); the action type is OVERRIDE.
pub fn override_request(agent_session_id: Value, req: AuditRequest) -> Result<AuditRequest, Error> {
    let human = matches!(&req.actor, Some(Value::Object(a))
        if a.get("subject_type").and_then(Value::as_str) == Some("human"));
    if !human {
        return Err(refuse(
            "actor",
            None,
            "audit_human_override requires a human actor (actor.subject_type \"human\")",
        ));
    }
    Ok(AuditRequest {
        actor: req.actor,
        resource: Some(agent_session_resource(agent_session_id)),
        outcome: req.outcome,
        correlation: req.correlation,
        metadata: req.metadata,
        phi_touched: Some(Value::Bool(false)),
        data_classification: Some(Value::String("NONE".into())),
        action_name: req.action_name,
        attribution: req.attribution,
        ..AuditRequest::default()
    })
}

/// The blocks [`enforce_target`] settles: the actor, and the agent blocks kept.
pub(crate) struct Settled {
    pub(crate) actor: Value,
    pub(crate) delegation: Option<Value>,
    pub(crate) attribution: Option<Value>,
}

/// The reference's `_enforce_v2_target`, extended to 2.1: on 2.x the blocks pass (2.0 has no
/// `attribution`, so one is refused there; 2.1 applies [`attribution_rules`]). On 1.x,
/// OVERRIDE is refused whatever the mode; agent data (an agent actor, a `delegation` or an
/// `attribution` block) is refused in mode `raise`, and in mode `strip` the actor collapses
/// to the authorizing human (`delegation.authorizing.subject_id`, which must be non-empty)
/// and the agent blocks are dropped.
pub(crate) fn enforce_target(
    cfg: &Config,
    action_type: &Value,
    actor: Value,
    delegation: Option<Value>,
    attribution: Option<Value>,
    diag: &mut dyn crate::Diagnostics,
) -> Result<Settled, Error> {
    let version = cfg.schema_version;
    let is_override = action_type.as_str() == Some("OVERRIDE");
    match version {
        SchemaVersion::V2_1 => {
            attribution_rules(
                is_override,
                &actor,
                delegation.as_ref(),
                attribution.as_ref(),
            )?;
            return Ok(Settled {
                actor,
                delegation,
                attribution,
            });
        }
        SchemaVersion::V2_0 => {
            if attribution.is_some() {
                return Err(refuse(
                    "attribution",
                    None,
                    "attribution requires schemaVersion \"2.1\" (configured: \"2.0\")",
                ));
            }
            return Ok(Settled {
                actor,
                delegation,
                attribution,
            });
        }
        SchemaVersion::V1_0 | SchemaVersion::V1_1 => {}
    }
    let configured = version.as_str();
    if is_override {
        return Err(refuse(
            "actionType",
            None,
            format!("action_type OVERRIDE requires schemaVersion \"2.0\" or \"2.1\" (configured: \"{configured}\")"),
        ));
    }
    let agent_actor = actor.get("subject_type").and_then(Value::as_str) == Some("agent");
    if delegation.is_none() && attribution.is_none() && !agent_actor {
        return Ok(Settled {
            actor,
            delegation,
            attribution,
        });
    }
    if cfg.downgrade_mode == DowngradeMode::Raise {
        let field = if delegation.is_some() {
            "delegation"
        } else if attribution.is_some() {
            "attribution"
        } else {
            "actor"
        };
        return Err(refuse(
            field,
            None,
            format!("agent/delegation audit data requires schemaVersion \"2.0\" or \"2.1\" (configured: \"{configured}\"); set agentEventDowngradeMode \"strip\" to collapse to the authorizing human identity instead"),
        ));
    }
    let authorizing = delegation
        .as_ref()
        .and_then(|d| d.get("authorizing"))
        .and_then(|a| a.get("subject_id"))
        .filter(|id| crate::event::truthy(id))
        .cloned();
    let Some(authorizing) = authorizing else {
        return Err(refuse(
            "delegation.authorizing.subject_id",
            None,
            "stripping requires a delegation block with an authorizing human identity; cannot fabricate human attribution",
        ));
    };
    diag.report(
        crate::Level::Warn,
        &format!("stripping agent data for schemaVersion {configured}: collapsing the actor to the authorizing human"),
    );
    let mut collapsed = Map::with_capacity(2);
    collapsed.insert("subject_id".into(), authorizing);
    collapsed.insert("subject_type".into(), Value::String("human".into()));
    Ok(Settled {
        actor: Value::Object(collapsed),
        delegation: None,
        attribution: None,
    })
}

/// The level an attribution block states, when it states one of the four.
fn level_of(attribution: Option<&Value>) -> Option<AttributionLevel> {
    attribution
        .and_then(|a| a.get("level"))
        .and_then(Value::as_str)
        .and_then(AttributionLevel::parse)
}

/// Schema 2.1's attribution rules, checked when building (RFC 0003 R1–R4, and no attribution
/// on an OVERRIDE). The block's own shape (its keys, the level's spelling) is left to
/// validation, which reports it by path.
pub fn attribution_rules(
    is_override: bool,
    actor: &Value,
    delegation: Option<&Value>,
    attribution: Option<&Value>,
) -> Result<(), Error> {
    if is_override && attribution.is_some() {
        return Err(refuse(
            "attribution",
            Some(RULE_OVERRIDE),
            "an OVERRIDE event must not carry an attribution block",
        ));
    }
    let level = level_of(attribution);
    if delegation.is_some() {
        if level == Some(AttributionLevel::Unattributed) {
            return Err(refuse(
                "attribution.level",
                Some(RULE_R2),
                "level unattributed must not come with a delegation block",
            ));
        }
        if attribution.is_none() {
            return Err(refuse(
                "attribution",
                Some(RULE_R1),
                "a delegation block needs an attribution block with level verified, bound or asserted",
            ));
        }
    } else if level.is_some_and(|l| l != AttributionLevel::Unattributed) {
        return Err(refuse(
            "delegation",
            Some(RULE_R3),
            "attribution levels verified, bound and asserted need a delegation block",
        ));
    }
    let agent = actor.get("subject_type").and_then(Value::as_str) == Some("agent");
    if agent && delegation.is_none() && level != Some(AttributionLevel::Unattributed) {
        return Err(refuse(
            "delegation",
            Some(RULE_R4),
            "an agent actor needs a delegation block or attribution level unattributed",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn levels_compare_by_order_not_by_spelling() {
        // As strings, "asserted" < "bound" < "unattributed" < "verified": the wrong order.
        assert_eq!(
            compare_attribution_levels("unattributed", "asserted"),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare_attribution_levels("verified", "unattributed"),
            Some(Ordering::Greater)
        );
        let mut sorted = AttributionLevel::ALL;
        sorted.sort();
        assert_eq!(sorted, AttributionLevel::ALL);
        assert_eq!(compare_attribution_levels("bound", "Bound"), None);
    }

    #[test]
    fn rules_are_the_schemas_comments() {
        let schema: Value = serde_json::from_str(SchemaVersion::V2_1.schema_text()).unwrap();
        let comments: Vec<&str> = schema["allOf"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["$comment"].as_str())
            .collect();
        for rule in [RULE_R1, RULE_R2, RULE_R3, RULE_R4, RULE_OVERRIDE] {
            assert!(comments.contains(&rule), "not in the 2.1 schema: {rule}");
        }
    }

    #[test]
    fn descriptor_limits_are_the_references() {
        let at = "x".repeat(128);
        assert!(check_descriptor(&json!({"interface": "mcp", "vendor": at})).is_ok());
        let over = "é".repeat(129);
        let err = check_descriptor(&json!({"interface": "mcp", "vendor": over})).unwrap_err();
        assert!(
            err.to_string().contains("exceeds 128 chars (got 129)"),
            "{err}"
        );
        assert!(!err.to_string().contains('é'));
        let err = check_descriptor(&json!({"vendor": "v"})).unwrap_err();
        assert!(matches!(err, Error::Agent { ref field, .. } if field == "agent.interface"));
        let err =
            check_descriptor(&json!({"interface": "mcp", "zeta": 1, "alpha": 2})).unwrap_err();
        assert!(err.to_string().contains("['alpha', 'zeta']"), "{err}");
        let err = check_descriptor(&json!({"interface": 3})).unwrap_err();
        assert!(
            err.to_string().contains("must be a string, got number"),
            "{err}"
        );
    }
}
