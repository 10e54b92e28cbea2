//! Validate: the prepared event against its declared schema version plus the reference's own
//! minimal rules; and, for `log_and_emit`, the one masking step that makes an invalid event
//! safe to emit anyway.

use std::borrow::Cow;

use super::event::{get, is_uuid, str_is, Lite, Members};
use crate::validator::{ValidationIssue, Validator};
use crate::SchemaVersion;

/// The versions this logger emits and accepts from `emit()`.
fn emitted_version(ev: &Members<'_>) -> Option<SchemaVersion> {
    match get(ev, "schema_version") {
        Some(Lite::Str(v)) => SchemaVersion::parse(v),
        _ => None,
    }
}

/// Every issue of `doc` (an event object), appended to `issues`.
pub(crate) fn validate(doc: &Lite<'_>, issues: &mut Vec<ValidationIssue>) {
    let Lite::Obj(ev) = doc else {
        return;
    };
    match emitted_version(ev).map(Validator::for_version) {
        Some(Ok(validator)) => validator.issues_into(doc, issues),
        Some(Err(_)) | None => issues.push(ValidationIssue {
            instance_path: "/schema_version".into(),
            schema_path: String::new(),
            keyword: "enum".into(),
            message: "must be one of the versions this logger emits: 1.0, 1.1, 2.0, 2.1".into(),
            rule: None,
        }),
    }
    reference_rules(ev, issues);
}

/// The reference's `validate_event_minimal` rules that the schema does not already imply:
/// `event_id` must be a UUID (schema 1.0 only asks for 16 characters) and a FAILURE outcome
/// needs a non-empty `error_message` (the schema only requires the key).
fn reference_rules(ev: &Members<'_>, issues: &mut Vec<ValidationIssue>) {
    if let Some(Lite::Str(id)) = get(ev, "event_id") {
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
    if let Some(Lite::Obj(o)) = get(ev, "outcome") {
        if str_is(o, "status", "FAILURE")
            && matches!(get(o, "error_message"), Some(Lite::Str(m)) if m.is_empty())
        {
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

/// Keywords that judge a container's shape, not the values it holds (which are checked, and
/// masked, on their own paths): an object or array failing only these is kept.
const SHAPE_KEYWORDS: &[&str] = &[
    "required",
    "dependentRequired",
    "minProperties",
    "maxProperties",
    "minItems",
    "maxItems",
    "uniqueItems",
];

/// Make an event that failed validation safe to emit anyway (`log_and_emit`): remove every
/// property the schema does not allow (`additionalProperties`), and replace every invalid
/// value with `"[INVALID]"`, whatever its type (an object where a string belongs may hold
/// PHI as much as a string does). Objects and arrays failing only a shape rule are kept.
pub(crate) fn mask(ev: &mut Members<'_>, issues: &[ValidationIssue]) {
    for issue in issues {
        let parts: Vec<String> = issue
            .instance_path
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        if issue.keyword == "additionalProperties" || issue.keyword == "unevaluatedProperties" {
            remove_path(ev, &parts);
        } else {
            mask_path(ev, &parts, SHAPE_KEYWORDS.contains(&issue.keyword.as_str()));
        }
    }
}

fn child<'m, 'a>(v: &'m mut Lite<'a>, part: &str) -> Option<&'m mut Lite<'a>> {
    match v {
        Lite::Obj(m) => m.iter_mut().find(|(k, _)| k == part).map(|(_, v)| v),
        Lite::Arr(a) => part.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    }
}

fn mask_path(ev: &mut Members<'_>, parts: &[String], shape_only: bool) {
    let Some((first, rest)) = parts.split_first() else {
        return; // the event itself is never replaced
    };
    let Some(mut cur) = ev.iter_mut().find(|(k, _)| k == first).map(|(_, v)| v) else {
        return;
    };
    for p in rest {
        match child(cur, p) {
            Some(v) => cur = v,
            None => return,
        }
    }
    let container = matches!(cur, Lite::Obj(_) | Lite::Arr(_));
    if !(container && shape_only) {
        *cur = Lite::Str(Cow::Borrowed("[INVALID]"));
    }
}

fn remove_path(ev: &mut Members<'_>, parts: &[String]) {
    match parts {
        [] => {}
        [last] => ev.retain(|(k, _)| k != last),
        [first, rest @ ..] => {
            let mut cur = match ev.iter_mut().find(|(k, _)| k == first) {
                Some((_, v)) => v,
                None => return,
            };
            let Some((last, mid)) = rest.split_last() else {
                return;
            };
            for p in mid {
                match child(cur, p) {
                    Some(v) => cur = v,
                    None => return,
                }
            }
            if let Lite::Obj(m) = cur {
                m.retain(|(k, _)| k != last);
            }
        }
    }
}
