//! Prepare: the reference's `_prepare` before validation, for built and pre-built events
//! alike: metadata through the allowlist (scalars only, strings cut to N code points + "...",
//! every dropped key reported), then the outcome's `error_message` sanitized.

use std::borrow::Cow;

use super::event::{get_mut, truthy, Lite, Members};
use crate::config::Redaction;
use crate::diagnostics::{Diagnostics, Level};
use crate::Config;

/// Sanitize an error message with the configured redaction profile and cap.
pub(crate) fn sanitize(cfg: &Config, message: &str) -> String {
    let max = cfg.error_message_max_len;
    match cfg.redaction {
        Redaction::Reference => crate::sanitize_error_message(message, max),
        Redaction::Strict => crate::sanitize::strict_sanitize_error_message(message, max),
    }
}

/// An outcome's `error_message`, as the reference sanitizes it: a string is sanitized; a
/// falsy value (`null`, `false`, `0`, empty) becomes `""` (its `if not message: return ""`);
/// anything else is left for validation to reject (and `log_and_emit` to mask).
pub(crate) fn sanitize_outcome_message(cfg: &Config, outcome: &mut Members<'_>) {
    match get_mut(outcome, "error_message") {
        Some(Lite::Str(m)) => *m = Cow::Owned(sanitize(cfg, m)),
        Some(v) if !truthy(v) => *v = Lite::Str(Cow::Borrowed("")),
        _ => {}
    }
}

/// `_apply_metadata_allowlist` then `_apply_error_sanitization`.
pub(crate) fn prepare(cfg: &Config, ev: &mut Members<'_>, diag: &mut dyn Diagnostics) {
    allowlist(cfg, ev, diag);
    if cfg.sanitize_errors {
        if let Some(Lite::Obj(o)) = get_mut(ev, "outcome") {
            sanitize_outcome_message(cfg, o);
        }
    }
}

fn allowlist(cfg: &Config, ev: &mut Members<'_>, diag: &mut dyn Diagnostics) {
    let Some(i) = ev.iter().position(|(k, _)| k == "metadata") else {
        return;
    };
    let allow = &cfg.metadata_allowlist;
    match ev.get_mut(i) {
        // Kept, and invalid: a pre-built event's `"metadata": null`.
        None | Some((_, Lite::Null)) => return,
        Some(_) if allow.is_empty() => {
            ev.remove(i);
            return;
        }
        Some((_, Lite::Obj(meta))) => {
            let max = cfg.max_metadata_value_length;
            meta.retain_mut(|(k, v)| {
                if !allow.contains(&**k) {
                    if diag.enabled(Level::Warn) {
                        diag.report(
                            Level::Warn,
                            &format!(
                                "dropping metadata key not in the allowlist: {}",
                                safe_name(k)
                            ),
                        );
                    }
                    return false;
                }
                match v {
                    Lite::Arr(_) | Lite::Obj(_) => {
                        let kind = if matches!(v, Lite::Arr(_)) {
                            "array"
                        } else {
                            "object"
                        };
                        diag.report(
                            Level::Warn,
                            &format!(
                                "dropping metadata key {}: value is an {kind}, not a scalar",
                                safe_name(k)
                            ),
                        );
                        false
                    }
                    Lite::Str(s) => {
                        if let Some((cut, _)) = s.char_indices().nth(max) {
                            let mut t = s[..cut].to_string();
                            t.push_str("...");
                            *s = Cow::Owned(t);
                        }
                        true
                    }
                    _ => true,
                }
            });
            if !meta.is_empty() {
                return;
            }
        }
        // Not an object: left for validation to report (`/metadata` must be an object).
        Some(_) => return,
    }
    ev.remove(i);
}

/// A metadata key for a diagnostic: sanitized (so an identifier used as a key is redacted)
/// and capped, since keys come from the caller.
fn safe_name(key: &str) -> String {
    format!("'{}'", crate::sanitize::redact_name(key, 64))
}
