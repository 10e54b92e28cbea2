//! The call: what one `audit()` (or helper) call asks for, read from the facade's call JSON
//! (camelCase members; `null` is the same as absent; unknown members are ignored) or from a
//! native [`AuditRequest`]. A helper's rules are applied here, once, for both: adding a helper
//! is one arm of [`Call::apply_helper`].

use std::borrow::Cow;

use serde_json::Value;

use super::agent::{AgentArgs, AgentHelper};
use super::event::{from_value, obj, text, truthy, Lite};

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

/// The inputs of one native `audit()` call besides the action type. Blocks are JSON objects in
/// the schema's shape (snake_case keys); `None` means "not given".
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
    /// Kept as given; on a 1.x target see `agentEventDowngradeMode`.
    pub delegation: Option<Value>,
    /// `attribution` block (schema 2.1): `{level, method}`, how the delegation is known.
    pub attribution: Option<Value>,
}

/// The error of a call, borrowed.
pub(crate) enum CallError<'a> {
    Exception {
        name: Cow<'a, str>,
        message: Cow<'a, str>,
    },
    Message(Cow<'a, str>),
}

/// The helpers whose rules the core applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Helper {
    LoginSuccess,
    LoginFailure,
    AccessDenied,
}

impl Helper {
    fn parse(name: &str) -> Option<Helper> {
        Some(match name {
            "loginSuccess" => Helper::LoginSuccess,
            "loginFailure" => Helper::LoginFailure,
            "accessDenied" => Helper::AccessDenied,
            _ => return None,
        })
    }
}

/// One call's arguments (a `null` member is absent).
#[derive(Default)]
pub(crate) struct Call<'a> {
    pub(crate) action: Option<Lite<'a>>,
    pub(crate) id: Option<Lite<'a>>,
    pub(crate) actor: Option<Lite<'a>>,
    pub(crate) resource: Option<Lite<'a>>,
    pub(crate) outcome: Option<Lite<'a>>,
    pub(crate) correlation: Option<Lite<'a>>,
    pub(crate) metadata: Option<Lite<'a>>,
    pub(crate) phi_touched: Option<Lite<'a>>,
    pub(crate) data_classification: Option<Lite<'a>>,
    pub(crate) action_name: Option<Lite<'a>>,
    pub(crate) error: Option<CallError<'a>>,
    pub(crate) error_type: Option<Lite<'a>>,
    pub(crate) error_message: Option<Lite<'a>>,
    pub(crate) delegation: Option<Lite<'a>>,
    pub(crate) attribution: Option<Lite<'a>>,
    /// An agent helper, applied by the build step (its refusals are errors, not input
    /// failures), with its arguments.
    pub(crate) agent_helper: Option<AgentHelper>,
    pub(crate) agent_args: AgentArgs<'a>,
}

const BAD_ERROR: &str = "error must be a string or {name, message} strings";

impl<'a> Call<'a> {
    /// Read the facade's call JSON (already parsed) and apply its helper's rules.
    pub(crate) fn read(doc: Lite<'a>) -> Result<Call<'a>, &'static str> {
        let Lite::Obj(members) = doc else {
            return Err("the call must be a JSON object");
        };
        let mut c = Call::default();
        let mut helper = None;
        for (k, v) in members {
            if matches!(v, Lite::Null) {
                continue;
            }
            let slot = match &*k {
                "action" => &mut c.action,
                "id" => &mut c.id,
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
                "agentSubjectId" => &mut c.agent_args.agent_subject_id,
                "agent" => &mut c.agent_args.agent,
                "authorizingSubjectId" => &mut c.agent_args.authorizing_subject_id,
                "agentSessionId" => &mut c.agent_args.agent_session_id,
                "delegationType" => &mut c.agent_args.delegation_type,
                "chainDepth" => &mut c.agent_args.chain_depth,
                "parentAgentSessionId" => &mut c.agent_args.parent_agent_session_id,
                "authorizingOrgId" => &mut c.agent_args.authorizing_org_id,
                "actingSubjectId" => &mut c.agent_args.acting_subject_id,
                "helper" => {
                    let Lite::Str(h) = v else {
                        return Err("helper must be a string");
                    };
                    helper = Helper::parse(&h);
                    c.agent_helper = AgentHelper::parse(&h);
                    continue;
                }
                "error" => {
                    c.error = Some(match v {
                        Lite::Str(m) => CallError::Message(m),
                        Lite::Obj(m) => {
                            let (mut name, mut message) = (None, None);
                            for (k, v) in m {
                                match (&*k, v) {
                                    ("name", Lite::Str(s)) => name = Some(s),
                                    ("message", Lite::Str(s)) => message = Some(s),
                                    ("name" | "message", _) => return Err(BAD_ERROR),
                                    _ => {}
                                }
                            }
                            match (name, message) {
                                (Some(name), Some(message)) => {
                                    CallError::Exception { name, message }
                                }
                                _ => return Err(BAD_ERROR),
                            }
                        }
                        _ => return Err(BAD_ERROR),
                    });
                    continue;
                }
                _ => continue,
            };
            *slot = Some(v);
        }
        if let Some(h) = helper {
            c.apply_helper(h);
        }
        Ok(c)
    }

    /// A native call: the request's values, borrowed.
    pub(crate) fn native(
        action: &'a str,
        id: &'a str,
        req: &'a AuditRequest,
        helper: Option<Helper>,
        error_type: Option<&'a str>,
        error_message: Option<&'a str>,
    ) -> Call<'a> {
        let conv = |v: &'a Option<Value>| v.as_ref().filter(|v| !v.is_null()).map(from_value);
        let mut c = Call {
            action: Some(text(action)),
            id: Some(text(id)),
            actor: conv(&req.actor),
            resource: conv(&req.resource),
            outcome: conv(&req.outcome),
            correlation: conv(&req.correlation),
            metadata: conv(&req.metadata),
            phi_touched: conv(&req.phi_touched),
            data_classification: conv(&req.data_classification),
            action_name: conv(&req.action_name),
            error: req.error.as_ref().map(|e| match e {
                AuditError::Exception { type_name, message } => CallError::Exception {
                    name: Cow::Borrowed(type_name),
                    message: Cow::Borrowed(message),
                },
                AuditError::Message(m) => CallError::Message(Cow::Borrowed(m)),
            }),
            error_type: error_type.map(text),
            error_message: error_message.map(text),
            delegation: conv(&req.delegation),
            attribution: conv(&req.attribution),
            agent_helper: None,
            agent_args: AgentArgs::default(),
        };
        if let Some(h) = helper {
            c.apply_helper(h);
        }
        c
    }

    /// The helpers' rules, as the reference's helpers apply them before `audit()`.
    fn apply_helper(&mut self, helper: Helper) {
        match helper {
            // `audit_login_success`: outcome SUCCESS (any error ignored), resource
            // `{"type": "Session"}` unless one is given.
            Helper::LoginSuccess => {
                self.default_session();
                self.outcome = Some(obj(vec![("status", text("SUCCESS"))]));
                self.error = None;
            }
            // `audit_login_failure`: the error defaults to "Login failed" when absent or empty.
            Helper::LoginFailure => {
                self.default_session();
                let empty = match &self.error {
                    None => true,
                    Some(CallError::Message(m)) => m.is_empty(),
                    Some(CallError::Exception { .. }) => false,
                };
                if empty {
                    self.error = Some(CallError::Message(Cow::Borrowed("Login failed")));
                }
            }
            // `audit_access_denied` (bh-audit-logger 1.x): outcome DENIED with `error_type`
            // (default "AccessDenied") and `error_message` when truthy; any error ignored.
            Helper::AccessDenied => {
                let mut o = vec![
                    (Cow::Borrowed("status"), text("DENIED")),
                    (
                        Cow::Borrowed("error_type"),
                        self.error_type
                            .take()
                            .unwrap_or_else(|| text("AccessDenied")),
                    ),
                ];
                if let Some(m) = self.error_message.take().filter(truthy) {
                    o.push((Cow::Borrowed("error_message"), m));
                }
                self.outcome = Some(Lite::Obj(o));
                self.error = None;
            }
        }
    }

    fn default_session(&mut self) {
        if !self.resource.as_ref().is_some_and(truthy) {
            self.resource = Some(obj(vec![("type", text("Session"))]));
        }
    }
}
