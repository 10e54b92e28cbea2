//! The JSON call protocol between a host and the core: one `audit()` / `emit()` call arrives as
//! JSON text, and the reply is a verdict plus JSON text (the event, or the validation issues).
//! The wasm layer is a thin wrapper over these functions; keeping them native lets tests run
//! both of the audit paths (the direct one in [`crate::direct`] and the general one) on the
//! same inputs.

use serde_json::Value;

use crate::agent::AgentAction;
use crate::diagnostics::Diagnostics;
use crate::event::{AuditError, AuditRequest};
use crate::pipeline::{Outcome, Pipeline, Verdict};
use crate::{Error, Timestamp, ValidationIssue};

/// Arguments of one `audit()` call as the facade serializes them (camelCase keys; a `null`
/// member is the same as an absent one; unknown members are ignored).
#[derive(Default)]
struct AuditInput {
    action: Value,
    id: Value,
    actor: Option<Value>,
    resource: Option<Value>,
    outcome: Option<Value>,
    correlation: Option<Value>,
    metadata: Option<Value>,
    phi_touched: Option<Value>,
    data_classification: Option<Value>,
    action_name: Option<Value>,
    error: Option<AuditError>,
    /// `loginSuccess`, `loginFailure` or `accessDenied`: the helper's rules (shared with the
    /// native logger through [`AuditRequest`]'s methods).
    helper: Option<String>,
    error_type: Option<Value>,
    error_message: Option<Value>,
    delegation: Option<Value>,
    attribution: Option<Value>,
    agent: AgentAction,
}

/// Call members that carry agent data or the agent helpers' arguments (the direct path
/// leaves every call with one of them to the general path).
pub(crate) const AGENT_MEMBERS: &[&str] = &[
    "delegation",
    "attribution",
    "agentSubjectId",
    "agent",
    "authorizingSubjectId",
    "agentSessionId",
    "delegationType",
    "chainDepth",
    "parentAgentSessionId",
    "authorizingOrgId",
    "actingSubjectId",
];

impl AuditInput {
    /// Read the call (read by hand: a serde derive costs ~10 KB of gzipped wasm). The direct
    /// path's `direct::Call::read` reads the same members by the same rules.
    fn read(doc: Value) -> Result<AuditInput, &'static str> {
        let Value::Object(members) = doc else {
            return Err("the call must be a JSON object");
        };
        let mut c = AuditInput::default();
        for (k, v) in members {
            if v.is_null() {
                continue;
            }
            let slot = match k.as_str() {
                "action" => {
                    c.action = v;
                    continue;
                }
                "id" => {
                    c.id = v;
                    continue;
                }
                "actor" => &mut c.actor,
                "resource" => &mut c.resource,
                "outcome" => &mut c.outcome,
                "correlation" => &mut c.correlation,
                "metadata" => &mut c.metadata,
                "phiTouched" => &mut c.phi_touched,
                "dataClassification" => &mut c.data_classification,
                "actionName" => &mut c.action_name,
                "errorType" => &mut c.error_type,
                "errorMessage" => &mut c.error_message,
                "delegation" => &mut c.delegation,
                "attribution" => &mut c.attribution,
                "chainDepth" => &mut c.agent.chain_depth,
                "parentAgentSessionId" => &mut c.agent.parent_agent_session_id,
                "authorizingOrgId" => &mut c.agent.authorizing_org_id,
                "actingSubjectId" => &mut c.agent.acting_subject_id,
                "agentSubjectId"
                | "agent"
                | "authorizingSubjectId"
                | "agentSessionId"
                | "delegationType" => {
                    let slot = match k.as_str() {
                        "agentSubjectId" => &mut c.agent.agent_subject_id,
                        "agent" => &mut c.agent.agent,
                        "authorizingSubjectId" => &mut c.agent.authorizing_subject_id,
                        "agentSessionId" => &mut c.agent.agent_session_id,
                        _ => &mut c.agent.delegation_type,
                    };
                    *slot = v;
                    continue;
                }
                "helper" => {
                    let Value::String(h) = v else {
                        return Err("helper must be a string");
                    };
                    c.helper = Some(h);
                    continue;
                }
                "error" => {
                    c.error = Some(match v {
                        Value::String(m) => AuditError::Message(m),
                        Value::Object(mut e) => match (e.remove("name"), e.remove("message")) {
                            (Some(Value::String(type_name)), Some(Value::String(message))) => {
                                AuditError::Exception { type_name, message }
                            }
                            _ => return Err("error must be a string or {name, message} strings"),
                        },
                        _ => return Err("error must be a string or {name, message} strings"),
                    });
                    continue;
                }
                _ => continue,
            };
            *slot = Some(v);
        }
        Ok(c)
    }
}

/// What a call produced: the verdict and its JSON text (the event for [`Verdict::Emit`] and
/// [`Verdict::EmitInvalid`], the issues array for [`Verdict::Drop`] and [`Verdict::Raise`]).
#[derive(Debug, PartialEq)]
pub(crate) struct Reply {
    pub(crate) verdict: Verdict,
    pub(crate) body: String,
}

/// One `audit()` call: the direct path when it applies, else the general one.
pub(crate) fn audit_text(
    pipeline: &mut Pipeline,
    input: &str,
    now_ms: f64,
    diag: &mut dyn Diagnostics,
) -> Reply {
    if let Some(body) = crate::direct::audit(pipeline, input, now_ms) {
        return Reply {
            verdict: Verdict::Emit,
            body,
        };
    }
    audit_text_general(pipeline, input, now_ms, diag)
}

/// One `audit()` call through the general path (serde `Value`s, every rule and diagnostic).
pub(crate) fn audit_text_general(
    pipeline: &mut Pipeline,
    input: &str,
    now_ms: f64,
    diag: &mut dyn Diagnostics,
) -> Reply {
    let parsed = match serde_json::from_str::<Value>(input) {
        Ok(doc) => match AuditInput::read(doc) {
            Ok(c) => c,
            Err(why) => {
                let message = format!("input is not valid: {why}");
                return reject(pipeline, vec![issue("", "input", &message)], diag);
            }
        },
        Err(e) => return input_failure(pipeline, &e, diag),
    };
    let req = AuditRequest {
        actor: parsed.actor,
        resource: parsed.resource,
        outcome: parsed.outcome,
        correlation: parsed.correlation,
        metadata: parsed.metadata,
        phi_touched: parsed.phi_touched,
        data_classification: parsed.data_classification,
        action_name: parsed.action_name,
        error: parsed.error,
        delegation: parsed.delegation,
        attribution: parsed.attribution,
    };
    let mut action = parsed.action;
    let agent = parsed.agent;
    let req = match parsed.helper.as_deref() {
        Some("loginSuccess") => Ok(req.login_success()),
        Some("loginFailure") => Ok(req.login_failure()),
        Some("accessDenied") => Ok(req.access_denied(parsed.error_type, parsed.error_message)),
        Some("agentAction") => agent.apply(req),
        Some("humanOverride") => {
            action = Value::String("OVERRIDE".into());
            crate::agent::override_request(agent.agent_session_id, req)
        }
        Some(h @ ("agentSessionStart" | "agentSessionEnd")) => {
            crate::agent::session_request(h == "agentSessionStart", agent, req).map(|(a, r)| {
                action = Value::String(a.into());
                r
            })
        }
        _ => Ok(req),
    };
    let built = req.and_then(|req| {
        pipeline.builder().build(
            action,
            req,
            Timestamp::from_millis_f64(now_ms),
            parsed.id,
            diag,
        )
    });
    match built {
        Ok((ev, pre)) => reply(pipeline.finish(ev, pre, diag)),
        Err(e) => refused(&e),
    }
}

/// A call the builder refused ([`Error::Agent`]): the facade throws a `TypeError` with
/// `message`, naming `field` (and `rule`, where a schema rule was broken).
fn refused(e: &Error) -> Reply {
    let mut body = serde_json::Map::new();
    body.insert("message".into(), Value::String(e.to_string()));
    if let Error::Agent { field, rule, .. } = e {
        body.insert("field".into(), Value::String(field.clone()));
        if let Some(rule) = rule {
            body.insert("rule".into(), Value::String((*rule).into()));
        }
    }
    Reply {
        verdict: Verdict::Refuse,
        body: Value::Object(body).to_string(),
    }
}

/// One `emit()` call: prepare and validate a pre-built event (JSON text).
pub(crate) fn emit_text(pipeline: &mut Pipeline, text: &str, diag: &mut dyn Diagnostics) -> Reply {
    if let Some(body) = crate::direct::emit(pipeline, text) {
        return Reply {
            verdict: Verdict::Emit,
            body,
        };
    }
    emit_text_general(pipeline, text, diag)
}

/// One `emit()` call through the general path.
pub(crate) fn emit_text_general(
    pipeline: &mut Pipeline,
    text: &str,
    diag: &mut dyn Diagnostics,
) -> Reply {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => reply(pipeline.finish_prebuilt(m, diag)),
        Ok(_) => reject(
            pipeline,
            vec![issue("", "type", "the event must be a JSON object")],
            diag,
        ),
        Err(e) => input_failure(pipeline, &e, diag),
    }
}

/// A failure found before the pipeline (input that is not JSON, not UTF-8, not an object):
/// validation fails with `issues`, and the configured mode decides as for any event.
pub(crate) fn reject(
    pipeline: &Pipeline,
    issues: Vec<ValidationIssue>,
    diag: &mut dyn Diagnostics,
) -> Reply {
    reply(pipeline.reject(issues, diag))
}

/// An issue without a schema path (input errors and the reference's own rules).
pub(crate) fn issue(path: &str, keyword: &str, message: &str) -> ValidationIssue {
    ValidationIssue {
        instance_path: path.into(),
        schema_path: String::new(),
        keyword: keyword.into(),
        message: message.into(),
        rule: None,
    }
}

fn input_failure(pipeline: &Pipeline, e: &serde_json::Error, diag: &mut dyn Diagnostics) -> Reply {
    let message = match Error::from_json(e) {
        Error::Json { message, .. }
            if message.contains("surrogate")
                || message.contains("unicode")
                || message.contains("hex escape") =>
        {
            "input holds a lone surrogate or invalid unicode escape".to_string()
        }
        Error::Json { message, .. } if message.contains("recursion") => {
            "input is nested too deeply".to_string()
        }
        Error::Json { message, .. } => format!("input is not valid: {message}"),
        other => other.to_string(),
    };
    reject(pipeline, vec![issue("", "input", &message)], diag)
}

fn reply(out: Outcome) -> Reply {
    let body = match out.verdict {
        Verdict::Emit | Verdict::EmitInvalid => serde_json::to_string(&out.event),
        Verdict::Drop | Verdict::Raise | Verdict::Refuse => serde_json::to_string(&out.issues),
    };
    Reply {
        verdict: out.verdict,
        body: body.unwrap_or_else(|_| "null".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CollectDiagnostics, Config};

    fn pipeline(mode: &str) -> Pipeline {
        let opts = serde_json::json!({"serviceName": "svc", "validationFailureMode": mode});
        Pipeline::new(Config::from_options(opts.as_object().unwrap()).unwrap()).unwrap()
    }

    const ID: &str = "9e3779b1-0001-4001-8007-0000000f4243";

    #[test]
    fn calls_give_events_or_issues_by_the_configured_mode() {
        let mut diag = CollectDiagnostics::default();
        let ok = format!(r#"{{"action":"READ","id":"{ID}"}}"#);
        let r = audit_text(&mut pipeline("drop"), &ok, 1.7e12, &mut diag);
        assert_eq!(r.verdict, Verdict::Emit);
        let ev: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(ev["event_id"], ID);
        let again = emit_text(&mut pipeline("drop"), &r.body, &mut diag);
        assert_eq!(
            again, r,
            "emitting an emitted event gives it back unchanged"
        );

        let bad = format!(r#"{{"action":"READ","id":"{ID}","actor":{{"ssn":"123-45-6789"}}}}"#);
        let r = audit_text(&mut pipeline("drop"), &bad, 1.7e12, &mut diag);
        assert_eq!(r.verdict, Verdict::Drop);
        assert!(
            r.body.contains("additionalProperties") && !r.body.contains("123-45"),
            "{}",
            r.body
        );
        let r = audit_text(&mut pipeline("raise"), &bad, 1.7e12, &mut diag);
        assert_eq!(r.verdict, Verdict::Raise);
        let r = audit_text(&mut pipeline("log_and_emit"), &bad, 1.7e12, &mut diag);
        assert_eq!(r.verdict, Verdict::EmitInvalid);
        assert!(!r.body.contains("ssn"), "{}", r.body);

        let r = emit_text(&mut pipeline("drop"), "[1]", &mut diag);
        assert_eq!(r.verdict, Verdict::Drop);
        let r = emit_text(&mut pipeline("drop"), "{", &mut diag);
        assert!(r.body.contains("input is not valid"), "{}", r.body);
    }
}
