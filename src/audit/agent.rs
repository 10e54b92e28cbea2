//! Agent attribution (bh-audit-schema 2.0 and 2.1): the agent helpers' rules, each in one
//! place, as the reference `bh-audit-logger` 2.0.0 applies them, plus the 2.1 attribution
//! rules of RFC 0003 (which the reference cannot emit).
//!
//! - [`AgentAction`] is the reference's `audit_agent_action` arguments (native API);
//!   `apply_helper` applies the four agent helpers' rules to a call (descriptor checks, the
//!   agent actor and `delegation` block, the session and override helpers' fixed parts).
//! - `enforce_target` (run by the pipeline's build step for every call) is the reference's
//!   `_enforce_v2_target` (agent data on a 1.x target: refuse, or collapse to the authorizing
//!   human) and, on 2.1, the attribution rules of RFC 0003.
//!
//! Every refusal is [`Error::Agent`], naming the field and, for a schema rule, the rule.

use std::cmp::Ordering;

use std::borrow::Cow;

use serde_json::Value;

use crate::audit::call::Call;
use crate::audit::event::{from_value, get, obj, str_is, text, truthy, Lite};
use crate::config::{Config, DowngradeMode};
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
/// content an [`AuditRequest`] carries (the native API). Values are JSON as the caller gave
/// them (the reference checks only the descriptor; the schema checks the rest);
/// `Value::Null` means "not given", and a required one not given is refused.
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

/// The agent helpers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AgentHelper {
    /// `audit_agent_action`.
    Action,
    /// `audit_human_override`.
    Override,
    /// `audit_agent_session_start`.
    SessionStart,
    /// `audit_agent_session_end`.
    SessionEnd,
}

impl AgentHelper {
    pub(crate) fn parse(name: &str) -> Option<AgentHelper> {
        Some(match name {
            "agentAction" => AgentHelper::Action,
            "humanOverride" => AgentHelper::Override,
            "agentSessionStart" => AgentHelper::SessionStart,
            "agentSessionEnd" => AgentHelper::SessionEnd,
            _ => return None,
        })
    }
}

/// The agent helpers' arguments in a call (borrowed; `None` = not given).
#[derive(Default)]
pub(crate) struct AgentArgs<'a> {
    pub(crate) agent_subject_id: Option<Lite<'a>>,
    pub(crate) agent: Option<Lite<'a>>,
    pub(crate) authorizing_subject_id: Option<Lite<'a>>,
    pub(crate) agent_session_id: Option<Lite<'a>>,
    pub(crate) delegation_type: Option<Lite<'a>>,
    pub(crate) chain_depth: Option<Lite<'a>>,
    pub(crate) parent_agent_session_id: Option<Lite<'a>>,
    pub(crate) authorizing_org_id: Option<Lite<'a>>,
    pub(crate) acting_subject_id: Option<Lite<'a>>,
}

impl<'a> AgentArgs<'a> {
    /// A native [`AgentAction`], borrowed.
    pub(crate) fn native(a: &'a AgentAction) -> AgentArgs<'a> {
        let req = |v: &'a Value| (!v.is_null()).then(|| from_value(v));
        let opt = |v: &'a Option<Value>| v.as_ref().filter(|v| !v.is_null()).map(from_value);
        AgentArgs {
            agent_subject_id: req(&a.agent_subject_id),
            agent: req(&a.agent),
            authorizing_subject_id: req(&a.authorizing_subject_id),
            agent_session_id: req(&a.agent_session_id),
            delegation_type: req(&a.delegation_type),
            chain_depth: opt(&a.chain_depth),
            parent_agent_session_id: opt(&a.parent_agent_session_id),
            authorizing_org_id: opt(&a.authorizing_org_id),
            acting_subject_id: opt(&a.acting_subject_id),
        }
    }
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
    format!("'{}'", crate::sanitize::redact_name(key, 64))
}

fn lite_type(v: &Lite<'_>) -> &'static str {
    match v {
        Lite::Null => "null",
        Lite::Bool(_) => "boolean",
        Lite::Num(_) => "number",
        Lite::Str(_) => "string",
        Lite::Arr(_) => "array",
        Lite::Obj(_) => "object",
    }
}

/// The reference's descriptor checks: an object, only the six keys, `interface` present,
/// every value a string of at most 128 code points.
pub(crate) fn check_descriptor(agent: &Lite<'_>) -> Result<(), Error> {
    let Lite::Obj(map) = agent else {
        return Err(refuse("agent", None, "agent descriptor must be an object"));
    };
    let mut unknown: Vec<&str> = map
        .iter()
        .map(|(k, _)| &**k)
        .filter(|k| !DESCRIPTOR_KEYS.contains(k))
        .collect();
    if !unknown.is_empty() {
        // The crate's one small sort (the standard one adds 9 KB of wasm).
        crate::json::sort::sort_by(&mut unknown, |a, b| a.cmp(b));
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
    if get(map, "interface").is_none() {
        return Err(refuse(
            "agent.interface",
            None,
            "agent descriptor is missing required key 'interface'",
        ));
    }
    for (k, v) in map {
        let field = || format!("agent.{k}");
        let Lite::Str(s) = v else {
            return Err(refuse(
                &field(),
                None,
                format!(
                    "agent descriptor value for '{k}' must be a string, got {}",
                    lite_type(v)
                ),
            ));
        };
        // At most 4 bytes a code point: only a long text needs counting.
        if s.len() <= DESCRIPTOR_MAX_CHARS {
            continue;
        }
        let n = s.chars().count();
        if n > DESCRIPTOR_MAX_CHARS {
            return Err(refuse(
                &field(),
                None,
                format!("agent descriptor value for '{k}' exceeds {DESCRIPTOR_MAX_CHARS} chars (got {n})"),
            ));
        }
    }
    Ok(())
}

fn required<'a>(v: Option<Lite<'a>>, field: &str) -> Result<Lite<'a>, Error> {
    v.ok_or_else(|| refuse(field, None, format!("{field} is required")))
}

fn agent_session_resource(session: Lite<'_>) -> Lite<'_> {
    obj(vec![("type", text("AgentSession")), ("id", session)])
}

/// Apply an agent helper's rules to `c` (as the reference's helpers do before `audit()`):
/// the descriptor check and the agent actor + `delegation` block (`audit_agent_action`; the
/// call's own actor's other fields such as `org_id` are kept), the session helpers' fixed
/// parts (CREATE / UPDATE on the `AgentSession`, `action.name`, `chain_depth` 1 by default,
/// `phi_touched` false, `NONE`), the override's (OVERRIDE, a human actor, the session as the
/// resource, `phi_touched` false, `NONE`, no delegation).
pub(crate) fn apply_helper<'a>(helper: AgentHelper, c: &mut Call<'a>) -> Result<(), Error> {
    let args = std::mem::take(&mut c.agent_args);
    match helper {
        AgentHelper::Override => {
            let human =
                matches!(&c.actor, Some(Lite::Obj(a)) if str_is(a, "subject_type", "human"));
            if !human {
                return Err(refuse(
                    "actor",
                    None,
                    "audit_human_override requires a human actor (actor.subject_type \"human\")",
                ));
            }
            c.action = Some(text("OVERRIDE"));
            c.resource = Some(agent_session_resource(
                args.agent_session_id.unwrap_or(Lite::Null),
            ));
            c.phi_touched = Some(Lite::Bool(false));
            c.data_classification = Some(text("NONE"));
            c.delegation = None;
            c.error = None;
            return Ok(());
        }
        AgentHelper::SessionStart | AgentHelper::SessionEnd => {
            let start = helper == AgentHelper::SessionStart;
            c.action = Some(text(if start { "CREATE" } else { "UPDATE" }));
            c.action_name = Some(text(if start {
                "agent_session_start"
            } else {
                "agent_session_end"
            }));
            c.phi_touched = Some(Lite::Bool(false));
            c.data_classification = Some(text("NONE"));
            c.outcome = None;
            c.error = None;
        }
        AgentHelper::Action => {}
    }
    let session_default = matches!(helper, AgentHelper::SessionStart | AgentHelper::SessionEnd);
    let agent_subject_id = required(args.agent_subject_id, "agentSubjectId")?;
    let agent = required(args.agent, "agent")?;
    let authorizing_id = required(args.authorizing_subject_id, "authorizingSubjectId")?;
    let session = required(args.agent_session_id, "agentSessionId")?;
    let delegation_type = required(args.delegation_type, "delegationType")?;
    check_descriptor(&agent)?;
    if session_default {
        c.resource = Some(agent_session_resource(session.clone()));
    }

    let mut authorizing = vec![
        (Cow::Borrowed("subject_id"), authorizing_id),
        (Cow::Borrowed("subject_type"), text("human")),
    ];
    if let Some(org) = args.authorizing_org_id {
        authorizing.push((Cow::Borrowed("org_id"), org));
    }
    let acting_id = args
        .acting_subject_id
        .unwrap_or_else(|| agent_subject_id.clone());
    let acting = obj(vec![
        ("subject_id", acting_id),
        ("subject_type", text("agent")),
        ("agent", agent),
    ]);
    let mut delegation = vec![
        (Cow::Borrowed("acting"), acting),
        (Cow::Borrowed("authorizing"), Lite::Obj(authorizing)),
        (Cow::Borrowed("delegation_type"), delegation_type),
        (Cow::Borrowed("agent_session_id"), session),
    ];
    let depth = args
        .chain_depth
        .or_else(|| session_default.then_some(Lite::Num(Cow::Borrowed("1"))));
    if let Some(d) = depth {
        delegation.push((Cow::Borrowed("chain_depth"), d));
    }
    if let Some(p) = args.parent_agent_session_id {
        delegation.push((Cow::Borrowed("parent_agent_session_id"), p));
    }
    let mut actor = vec![
        (Cow::Borrowed("subject_id"), agent_subject_id),
        (Cow::Borrowed("subject_type"), text("agent")),
    ];
    if let Some(Lite::Obj(extra)) = c.actor.take() {
        actor.extend(
            extra
                .into_iter()
                .filter(|(k, _)| k != "subject_id" && k != "subject_type"),
        );
    }
    c.actor = Some(Lite::Obj(actor));
    c.delegation = Some(Lite::Obj(delegation));
    Ok(())
}

/// The blocks [`enforce_target`] settles: the actor, and the agent blocks kept.
pub(crate) struct Settled<'a> {
    pub(crate) actor: Lite<'a>,
    pub(crate) delegation: Option<Lite<'a>>,
    pub(crate) attribution: Option<Lite<'a>>,
}

/// The reference's `_enforce_v2_target`, extended to 2.1: on 2.x the blocks pass (2.0 has no
/// `attribution`, so one is refused there; 2.1 applies [`attribution_rules`]). On 1.x,
/// OVERRIDE is refused whatever the mode; agent data (an agent actor, a `delegation` or an
/// `attribution` block) is refused in mode `raise`, and in mode `strip` the actor collapses
/// to the authorizing human (`delegation.authorizing.subject_id`, which must be non-empty)
/// and the agent blocks are dropped.
pub(crate) fn enforce_target<'a>(
    cfg: &Config,
    action_type: Option<&Lite<'a>>,
    actor: Lite<'a>,
    delegation: Option<Lite<'a>>,
    attribution: Option<Lite<'a>>,
    diag: &mut dyn crate::Diagnostics,
) -> Result<Settled<'a>, Error> {
    let version = cfg.schema_version;
    let is_override = matches!(action_type, Some(Lite::Str(a)) if a == "OVERRIDE");
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
    let agent_actor = matches!(&actor, Lite::Obj(a) if str_is(a, "subject_type", "agent"));
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
    let authorizing = match &delegation {
        Some(Lite::Obj(d)) => match get(d, "authorizing") {
            Some(Lite::Obj(a)) => get(a, "subject_id").filter(|id| truthy(id)).cloned(),
            _ => None,
        },
        _ => None,
    };
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
    Ok(Settled {
        actor: obj(vec![
            ("subject_id", authorizing),
            ("subject_type", text("human")),
        ]),
        delegation: None,
        attribution: None,
    })
}

/// The level an attribution block states, when it states one of the four.
fn level_of(attribution: Option<&Lite<'_>>) -> Option<AttributionLevel> {
    match attribution {
        Some(Lite::Obj(a)) => match get(a, "level") {
            Some(Lite::Str(l)) => AttributionLevel::parse(l),
            _ => None,
        },
        _ => None,
    }
}

/// Schema 2.1's attribution rules, checked when building (RFC 0003 R1–R4, and no attribution
/// on an OVERRIDE). The block's own shape (its keys, the level's spelling) is left to
/// validation, which reports it by path.
pub(crate) fn attribution_rules(
    is_override: bool,
    actor: &Lite<'_>,
    delegation: Option<&Lite<'_>>,
    attribution: Option<&Lite<'_>>,
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
    let agent = matches!(actor, Lite::Obj(a) if str_is(a, "subject_type", "agent"));
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

    fn check(v: &Value) -> Result<(), Error> {
        check_descriptor(&from_value(v))
    }

    #[test]
    fn descriptor_limits_are_the_references() {
        let at = "x".repeat(128);
        assert!(check(&json!({"interface": "mcp", "vendor": at})).is_ok());
        let over = "é".repeat(129);
        let err = check(&json!({"interface": "mcp", "vendor": over})).unwrap_err();
        assert!(
            err.to_string().contains("exceeds 128 chars (got 129)"),
            "{err}"
        );
        assert!(!err.to_string().contains('é'));
        let err = check(&json!({"vendor": "v"})).unwrap_err();
        assert!(matches!(err, Error::Agent { ref field, .. } if field == "agent.interface"));
        let err = check(&json!({"interface": "mcp", "zeta": 1, "alpha": 2})).unwrap_err();
        assert!(err.to_string().contains("['alpha', 'zeta']"), "{err}");
        let err = check(&json!({"interface": 3})).unwrap_err();
        assert!(
            err.to_string().contains("must be a string, got number"),
            "{err}"
        );
    }
}
