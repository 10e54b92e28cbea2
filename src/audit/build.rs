//! Build: the event for one call, as the reference's `audit()` assembles it, in its key order:
//! `schema_version, event_id, timestamp, service, actor, action, resource, outcome`, then
//! `correlation` and `metadata` when given. Blocks the logger makes use the reference's order;
//! blocks the caller passes keep the caller's. A new block is one more step in [`build`].

use std::borrow::Cow;

use super::call::{Call, CallError};
use super::event::{get, obj, set, str_is, text, truthy, Lite, Members};
use super::prepare::sanitize;
use crate::validator::ValidationIssue;
use crate::{Config, SchemaVersion};

/// The event for `call` at `timestamp` (`None`: the time source failed, which `pre` reports).
///
/// Agent data is settled first ([`super::agent`]): an agent helper's rules, then (every call)
/// the target's: on 1.x refused or stripped per `agentEventDowngradeMode`, on 2.1 the
/// attribution rules. A refusal is [`crate::Error::Agent`], whatever the failure modes.
pub(crate) fn build<'a>(
    cfg: &'a Config,
    mut c: Call<'a>,
    timestamp: Option<String>,
    pre: &mut Vec<ValidationIssue>,
    diag: &mut dyn crate::Diagnostics,
) -> Result<Members<'a>, crate::Error> {
    if let Some(h) = c.agent_helper {
        super::agent::apply_helper(h, &mut c)?;
    }
    let settled = super::agent::enforce_target(
        cfg,
        c.action.as_ref(),
        actor(cfg, c.actor),
        c.delegation,
        c.attribution,
        diag,
    )?;
    let mut ev: Members<'a> = Vec::with_capacity(12);
    let member = |k: &'static str, v: Lite<'a>| (Cow::Borrowed(k), v);
    ev.push(member("schema_version", text(cfg.schema_version.as_str())));
    ev.push(member("event_id", c.id.unwrap_or(Lite::Null)));
    let ts = match timestamp {
        Some(ts) => Lite::Str(Cow::Owned(ts)),
        None => {
            pre.push(ValidationIssue {
                instance_path: "/timestamp".into(),
                schema_path: "/properties/timestamp/format".into(),
                keyword: "format".into(),
                message: "the time source gave an instant outside years 0000 to 9999".into(),
                rule: None,
            });
            text("")
        }
    };
    ev.push(member("timestamp", ts));
    ev.push(member("service", service(cfg)));
    ev.push(member("actor", settled.actor));
    ev.push(member(
        "action",
        action(
            c.action,
            c.action_name,
            c.phi_touched,
            c.data_classification,
        ),
    ));
    let resource = match c.resource.filter(truthy) {
        Some(r) => r,
        None => obj(vec![("type", text("unknown"))]),
    };
    ev.push(member("resource", resource));
    ev.push(member("outcome", outcome(cfg, c.outcome, c.error)));
    if let Some(corr) = c.correlation.filter(truthy) {
        ev.push(member("correlation", corr));
    }
    if let Some(m) = c.metadata.filter(truthy) {
        ev.push(member("metadata", m));
    }
    if let Some(d) = settled.delegation {
        ev.push(member("delegation", d));
    }
    if let Some(a) = settled.attribution {
        ev.push(member("attribution", a));
    }
    Ok(ev)
}

/// `_build_service`: name, environment, then version when set.
fn service(cfg: &Config) -> Lite<'_> {
    let mut s = vec![
        ("name", text(&cfg.service_name)),
        ("environment", text(&cfg.service_environment)),
    ];
    if let Some(v) = cfg.service_version.as_ref().filter(|v| !v.is_empty()) {
        s.push(("version", text(v)));
    }
    obj(s)
}

/// `_build_actor`: the caller's block with `subject_id` / `subject_type` defaulted
/// (`setdefault`: appended when missing), or the configured default actor.
fn actor<'a>(cfg: &'a Config, given: Option<Lite<'a>>) -> Lite<'a> {
    match given.filter(truthy) {
        Some(Lite::Obj(mut a)) => {
            if get(&a, "subject_id").is_none() {
                a.push((Cow::Borrowed("subject_id"), text(&cfg.default_actor_id)));
            }
            if get(&a, "subject_type").is_none() {
                a.push((
                    Cow::Borrowed("subject_type"),
                    text(cfg.default_actor_type.as_str()),
                ));
            }
            Lite::Obj(a)
        }
        Some(other) => other,
        None => obj(vec![
            ("subject_id", text(&cfg.default_actor_id)),
            ("subject_type", text(cfg.default_actor_type.as_str())),
        ]),
    }
}

/// `_build_action`: type, name when given, phi_touched when given, data_classification
/// (default `"UNKNOWN"`).
fn action<'a>(
    action_type: Option<Lite<'a>>,
    name: Option<Lite<'a>>,
    phi_touched: Option<Lite<'a>>,
    data_classification: Option<Lite<'a>>,
) -> Lite<'a> {
    let mut a = Vec::with_capacity(4);
    a.push((Cow::Borrowed("type"), action_type.unwrap_or(Lite::Null)));
    if let Some(n) = name {
        a.push((Cow::Borrowed("name"), n));
    }
    if let Some(p) = phi_touched {
        a.push((Cow::Borrowed("phi_touched"), p));
    }
    let dc = data_classification
        .filter(truthy)
        .unwrap_or_else(|| text("UNKNOWN"));
    a.push((Cow::Borrowed("data_classification"), dc));
    Lite::Obj(a)
}

/// `_build_outcome`: an error makes `{status: FAILURE, error_type, error_message}` (the
/// message sanitized); else the caller's block (its `error_message` sanitized), else SUCCESS.
/// With schema 1.0, DENIED is emitted as FAILURE (with `error_message` defaulted to the
/// `error_type`).
fn outcome<'a>(cfg: &'a Config, given: Option<Lite<'a>>, error: Option<CallError<'a>>) -> Lite<'a> {
    if let Some(error) = error {
        let (type_name, message) = match error {
            // A class name is code the caller wrote, but it may carry an identifier: redacted
            // like any value (a deliberate difference from the reference, which keeps it).
            CallError::Exception { name, message } => match crate::sanitize::error_type_name(&name)
            {
                Cow::Borrowed(_) => (name, message),
                Cow::Owned(redacted) => (Cow::Owned(redacted), message),
            },
            CallError::Message(m) => (Cow::Borrowed("ApplicationError"), m),
        };
        let message = if cfg.sanitize_errors {
            Cow::Owned(sanitize(cfg, &message))
        } else {
            message
        };
        return obj(vec![
            ("status", text("FAILURE")),
            ("error_type", Lite::Str(type_name)),
            ("error_message", Lite::Str(message)),
        ]);
    }
    match given.filter(truthy) {
        Some(Lite::Obj(mut o)) => {
            if cfg.sanitize_errors {
                super::prepare::sanitize_outcome_message(cfg, &mut o);
            }
            if cfg.schema_version == SchemaVersion::V1_0 && str_is(&o, "status", "DENIED") {
                set(&mut o, "status", text("FAILURE"));
                if get(&o, "error_message").is_none() {
                    let m = get(&o, "error_type")
                        .cloned()
                        .unwrap_or_else(|| text("AccessDenied"));
                    o.push((Cow::Borrowed("error_message"), m));
                }
            }
            Lite::Obj(o)
        }
        Some(other) => other,
        None => obj(vec![("status", text("SUCCESS"))]),
    }
}
