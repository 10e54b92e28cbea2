//! PHI safety, in the spirit of the reference's `test_phi_safety.py`: synthetic PHI tokens
//! (tests/data/phi_tokens.json) put into every input field never appear in an emitted event,
//! a counter or a diagnostic, unless the field is meant to carry them (identifiers such as
//! `subject_id` are emitted as given; that is their job).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::rc::Rc;

use bh_audit_logger::{
    AuditError, AuditLogger, AuditRequest, Config, Diagnostics, Event, FnSink, Level, Redaction,
    Timestamp, ValidationFailureMode,
};
use serde_json::{json, Map, Value};

fn tokens() -> (Vec<String>, Vec<String>) {
    let doc: Value = serde_json::from_str(include_str!("data/phi_tokens.json")).unwrap();
    let list = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    (list(&doc["tokens"]), list(&doc["redactable"]["strings"]))
}

type BoxedSink = Box<dyn FnMut(&Event) -> Result<(), String>>;

#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<String>>>);
impl Diagnostics for Shared {
    fn report(&mut self, level: Level, message: &str) {
        self.0.borrow_mut().push(format!("{level}: {message}"));
    }
}

/// Run `f` against a logger whose sink, diagnostics and errors are all captured as text.
fn capture(
    config: Config,
    sink_fails: bool,
    f: impl FnOnce(&mut AuditLogger<FnSink<BoxedSink>>) -> Vec<String>,
) -> String {
    let events = Rc::new(RefCell::new(Vec::<String>::new()));
    let ev2 = events.clone();
    let sink: BoxedSink = Box::new(move |ev| {
        ev2.borrow_mut().push(ev.line().to_string());
        if sink_fails {
            Err("write failed for 987-65-4321 at jdoe+intake@clinic.example.org".into())
        } else {
            Ok(())
        }
    });
    let diags = Shared::default();
    let mut logger = AuditLogger::new(config, FnSink(sink))
        .unwrap()
        .with_time_source(|| Some(Timestamp::from_micros(1_773_254_515_123_456)))
        .with_id_source(|| "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee".to_string())
        .with_diagnostics(diags.clone());
    let errors = f(&mut logger);
    let stats = serde_json::to_string(&logger.stats()).unwrap();
    let all = [
        events.borrow().join("\n"),
        diags.0.borrow().join("\n"),
        errors.join("\n"),
        stats,
    ];
    all.join("\n")
}

fn assert_absent(text: &str, tokens: &[String], what: &str) {
    let lower = text.to_lowercase();
    for t in tokens {
        assert!(
            !lower.contains(&t.to_lowercase()),
            "{what}: PHI token {t:?} leaked into:\n{text}"
        );
    }
}

#[test]
fn metadata_outside_the_allowlist_never_leaks() {
    let (tokens, _) = tokens();
    let out = capture(
        Config::new("phi-test").with_metadata_allowlist(["safe"]),
        false,
        |l| {
            let mut meta = Map::new();
            meta.insert("safe".into(), json!("ok"));
            for (i, t) in tokens.iter().enumerate() {
                meta.insert(format!("k{i}"), json!(t));
                meta.insert(format!("n{i}"), json!({ "nested": t }));
                meta.insert(format!("a{i}"), json!([t]));
            }
            meta.insert("safe_nested".into(), json!({"x": tokens[0]}));
            l.audit(
                "READ",
                AuditRequest {
                    metadata: Some(Value::Object(meta)),
                    ..Default::default()
                },
            )
            .unwrap();
            vec![]
        },
    );
    assert_absent(&out, &tokens, "metadata");
    assert!(
        out.contains("\"metadata\":{\"safe\":\"ok\"}"),
        "the allowlisted key survives"
    );
}

#[test]
fn unknown_and_invalid_fields_never_leak_into_events_diagnostics_or_errors() {
    let (tokens, _) = tokens();
    for mode in [
        ValidationFailureMode::Drop,
        ValidationFailureMode::LogAndEmit,
        ValidationFailureMode::Raise,
    ] {
        let out = capture(
            Config::new("phi-test").with_validation_failure_mode(mode),
            false,
            |l| {
                let mut errors = Vec::new();
                for t in &tokens {
                    let calls = [
                        AuditRequest {
                            actor: Some(
                                json!({"subject_id": "u1", "subject_type": "human", "ssn": t}),
                            ),
                            ..Default::default()
                        },
                        AuditRequest {
                            resource: Some(
                                json!({"type": "Patient", "dob": t, "name": {"full": t}}),
                            ),
                            ..Default::default()
                        },
                        AuditRequest {
                            outcome: Some(json!({"status": "SUCCESS", "detail": t})),
                            ..Default::default()
                        },
                        AuditRequest {
                            correlation: Some(json!({"request_id": "r1", "patient": t})),
                            ..Default::default()
                        },
                        AuditRequest {
                            data_classification: Some(json!(t)),
                            ..Default::default()
                        },
                        AuditRequest {
                            phi_touched: Some(json!(t)),
                            ..Default::default()
                        },
                        AuditRequest {
                            actor: Some(json!({"subject_id": "u1", "subject_type": t})),
                            ..Default::default()
                        },
                    ];
                    for req in calls {
                        if let Err(e) = l.audit("READ", req) {
                            errors.push(e.to_string());
                        }
                    }
                    if let Err(e) = l.audit(t, AuditRequest::default()) {
                        errors.push(e.to_string());
                    }
                }
                errors
            },
        );
        assert_absent(&out, &tokens, &format!("{mode:?}"));
    }
}

#[test]
fn error_messages_and_sink_failures_are_redacted() {
    let (tokens, redactable) = tokens();
    let out = capture(Config::new("phi-test"), true, |l| {
        for t in &redactable {
            let msg = format!("lookup failed for {t} (retry)");
            l.audit(
                "READ",
                AuditRequest {
                    error: Some(AuditError::Message(msg.clone())),
                    ..Default::default()
                },
            )
            .unwrap();
            l.audit(
                "READ",
                AuditRequest {
                    error: Some(AuditError::Exception {
                        type_name: "ValueError".into(),
                        message: msg.clone(),
                    }),
                    ..Default::default()
                },
            )
            .unwrap();
            l.audit(
                "READ",
                AuditRequest {
                    outcome: Some(
                        json!({"status": "FAILURE", "error_type": "E", "error_message": msg}),
                    ),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        vec![]
    });
    assert_absent(&out, &redactable, "reference profile");
    // Strict also catches the tokens glued to letters and underscores (SSN_123-45-6789, ...).
    let glued: Vec<String> = tokens
        .iter()
        .filter(|t| t.contains("123-45-6789") || t.contains('@') || t.contains("4455667788"))
        .cloned()
        .collect();
    let out = capture(
        Config::new("phi-test").with_redaction(Redaction::Strict),
        true,
        |l| {
            for t in &glued {
                l.audit(
                    "READ",
                    AuditRequest {
                        error: Some(AuditError::Message(format!("failed:{t}!"))),
                        ..Default::default()
                    },
                )
                .unwrap();
            }
            vec![]
        },
    );
    for t in &glued {
        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
        assert!(
            !out.contains(&digits) || digits.len() < 7,
            "strict profile leaked the identifier of {t:?}:\n{out}"
        );
        assert!(
            !out.contains("example.com") && !out.contains("clinic.example.org"),
            "strict profile leaked an email domain:\n{out}"
        );
    }
}
