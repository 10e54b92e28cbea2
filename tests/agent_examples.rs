//! Schema 2.1 (beyond the reference 2.0.0): every upstream 2.1 example (and 2.0 example) is
//! rebuilt through the logger's helpers; every 2.1 negative is refused when building, naming
//! the schema rule (`$comment`) it breaks where the schema states one, and its validation
//! errors carry that rule; 2,000 random helper calls all give events valid against the
//! vendored 2.1 schema. Examples: tests/data/examples (see SOURCE.md there).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

use std::path::{Path, PathBuf};

use bh_audit_logger::agent::{AgentAction, AttributionLevel};
use bh_audit_logger::{
    AuditLogger, AuditRequest, Config, Error, Event, MemorySink, SchemaVersion, Timestamp,
    Validator,
};
use serde_json::{json, Map, Value};

fn examples(version: &str, negative: bool) -> Vec<(String, Value)> {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/examples")
        .join(version);
    if negative {
        dir = dir.join("negative");
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (the examples are part of the repo)", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap(),
            )
        })
        .collect()
}

/// `2026-09-01T10:21:45Z` (or with fractions) as a timestamp.
fn parse_ts(ts: &str) -> Timestamp {
    let d = |r: std::ops::Range<usize>| ts[r].parse::<i64>().unwrap();
    let (y, mo, day, h, mi, s) = (d(0..4), d(5..7), d(8..10), d(11..13), d(14..16), d(17..19));
    // Days from the civil date (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Timestamp::from_micros(((days * 86_400) + h * 3600 + mi * 60 + s) * 1_000_000)
}

fn logger_for(ex: &Value, mode: &str) -> AuditLogger<MemorySink> {
    let mut opts = json!({
        "serviceName": ex["service"]["name"],
        "schemaVersion": ex["schema_version"],
        "validationFailureMode": mode,
    });
    if let Some(env) = ex["service"].get("environment") {
        opts["serviceEnvironment"] = env.clone();
    }
    if let Some(Value::Object(m)) = ex.get("metadata") {
        opts["metadataAllowlist"] = json!(m.keys().collect::<Vec<_>>());
    }
    let config = Config::from_options(opts.as_object().unwrap()).unwrap();
    let now = parse_ts(ex["timestamp"].as_str().unwrap());
    let id = ex["event_id"].as_str().unwrap().to_string();
    AuditLogger::new(config, MemorySink::new())
        .unwrap()
        .with_time_source(move || Some(now))
        .with_id_source(move || id.clone())
        .with_diagnostics(|_: bh_audit_logger::Level, _: &str| {})
}

fn opt(ex: &Value, k: &str) -> Option<Value> {
    ex.get(k).cloned()
}

/// The helper call that states `ex`: the override helper for OVERRIDE, the session helpers
/// for the session events, the agent helper for other delegated events, `audit()` otherwise.
///
/// With `generic`, always `audit()` with the blocks as given (so a negative example's faults
/// reach the builder instead of being fixed by a helper's fixed parts).
fn rebuild(ex: &Value, mode: &str, generic: bool) -> Result<Option<Event>, Error> {
    let mut logger = logger_for(ex, mode);
    let action = &ex["action"];
    let req = AuditRequest {
        actor: opt(ex, "actor"),
        resource: opt(ex, "resource"),
        outcome: opt(ex, "outcome"),
        correlation: opt(ex, "correlation"),
        metadata: opt(ex, "metadata"),
        phi_touched: action.get("phi_touched").cloned(),
        data_classification: action.get("data_classification").cloned(),
        action_name: action.get("name").cloned(),
        attribution: opt(ex, "attribution"),
        ..AuditRequest::default()
    };
    let kind = action["type"].as_str().unwrap();
    let resource_type = ex["resource"]["type"].as_str();
    let agent_actor = ex["actor"]["subject_type"] == "agent";
    match ex.get("delegation") {
        d if generic => logger.audit(
            kind,
            AuditRequest {
                delegation: d.cloned(),
                ..req
            },
        ),
        _ if kind == "OVERRIDE" => {
            logger.audit_human_override(ex["resource"]["id"].as_str().unwrap_or(""), req)
        }
        Some(d) if agent_actor => {
            let a = AgentAction {
                agent_subject_id: ex["actor"]["subject_id"].clone(),
                agent: d["acting"]["agent"].clone(),
                authorizing_subject_id: d["authorizing"]["subject_id"].clone(),
                agent_session_id: d["agent_session_id"].clone(),
                delegation_type: d["delegation_type"].clone(),
                chain_depth: d.get("chain_depth").cloned(),
                parent_agent_session_id: d.get("parent_agent_session_id").cloned(),
                authorizing_org_id: d["authorizing"].get("org_id").cloned(),
                acting_subject_id: d["acting"].get("subject_id").cloned(),
            };
            let name = action.get("name").and_then(Value::as_str);
            match (resource_type, name) {
                (Some("AgentSession"), Some("agent_session_start")) => {
                    logger.audit_agent_session_start(a, req)
                }
                (Some("AgentSession"), Some("agent_session_end")) => {
                    logger.audit_agent_session_end(a, req)
                }
                _ => logger.audit_agent_action(kind, a, req),
            }
        }
        d => logger.audit(
            kind,
            AuditRequest {
                delegation: d.cloned(),
                ..req
            },
        ),
    }
}

/// The example with its timestamp as this logger writes it (milliseconds always present).
fn with_millis(ex: &Value) -> Value {
    let mut ex = ex.clone();
    let ts = ex["timestamp"].as_str().unwrap().to_string();
    if ts.len() == 20 {
        ex["timestamp"] = json!(format!("{}.000Z", &ts[..19]));
    }
    ex
}

#[test]
fn every_positive_example_is_rebuilt_through_the_helpers() {
    let mut count = 0;
    for version in ["2.0", "2.1"] {
        let list = examples(version, false);
        assert!(list.len() >= 7, "examples for {version} are missing");
        for (name, ex) in list {
            let ev = rebuild(&ex, "raise", false)
                .unwrap_or_else(|e| panic!("{version}/{name}: refused: {e}"))
                .unwrap_or_else(|| panic!("{version}/{name}: dropped"));
            // `audit()` has no `http` parameter (nor has the reference's): an example with an
            // `http` block is compared without it, and must also pass through `emit()` whole.
            let mut want = with_millis(&ex);
            if want.as_object_mut().unwrap().shift_remove("http").is_some() {
                let mut logger = logger_for(&ex, "raise");
                assert!(
                    logger.emit(ex.as_object().unwrap()).unwrap(),
                    "{name}: emit refused it"
                );
                assert_eq!(
                    logger.sink().events()[0].to_value(),
                    ex,
                    "{name}: emit changed it"
                );
            }
            assert_eq!(
                ev.to_value(),
                want,
                "{version}/{name}: the helpers give another event"
            );
            count += 1;
        }
    }
    assert!(count >= 18, "only {count} examples rebuilt");
}

#[test]
fn every_negative_2_1_example_is_refused_with_its_rule() {
    let v21 = Validator::for_version(SchemaVersion::V2_1).unwrap();
    let list = examples("2.1", true);
    assert!(list.len() >= 21, "2.1 negatives are missing");
    let mut with_rule = 0;
    for (name, ex) in list {
        let issues = v21.validate(&ex);
        assert!(!issues.is_empty(), "{name}: a negative example validates");
        let rules: Vec<&str> = issues.iter().filter_map(|i| i.rule.as_deref()).collect();
        // The rule each negative under a schema rule breaks, by its number in RFC 0003.
        let expected = match &name[..2] {
            "01" | "21" => Some("R4"),
            "14" => Some("R1"),
            "15" => Some("R2"),
            "16" => Some("R3"),
            "04" | "05" | "06" | "07" | "20" => Some("rule 3"),
            _ => None,
        };
        if let Some(e) = expected {
            assert!(
                rules.iter().any(|r| r.contains(e)),
                "{name}: validateEvent errors {issues:?} do not carry the {e} rule"
            );
            with_rule += 1;
        }
        match rebuild(&ex, "raise", true) {
            Err(Error::Agent { rule, field, .. }) => {
                let rule = rule.unwrap_or_else(|| {
                    assert!(
                        expected.is_none(),
                        "{name}: refused on {field} without its rule"
                    );
                    ""
                });
                if let Some(e) = expected {
                    assert!(rule.contains(e), "{name}: refused naming {rule}, not {e}");
                    assert!(
                        rules.contains(&rule),
                        "{name}: {rule} is not among the validation rules"
                    );
                }
            }
            Err(Error::Validation { issues }) => {
                if let Some(e) = expected {
                    assert!(
                        issues
                            .iter()
                            .any(|i| i.rule.as_deref().is_some_and(|r| r.contains(e))),
                        "{name}: refused without naming {e}: {issues:?}"
                    );
                }
            }
            Err(other) => panic!("{name}: refused with {other}"),
            Ok(ev) => {
                // The only negative the logger repairs: a nested metadata value never reaches
                // the log (the allowlist drops non-scalars, as the reference does).
                assert!(name.starts_with("13_"), "{name}: built and emitted: {ev:?}");
                let ev = ev.unwrap().to_value();
                assert!(v21.is_valid(&ev), "{name}: emitted an invalid event");
                assert!(
                    ev.get("metadata").is_none_or(|m| m
                        .as_object()
                        .unwrap()
                        .values()
                        .all(|v| !v.is_object())),
                    "{name}: the nested value was emitted"
                );
            }
        }
    }
    assert!(
        with_rule >= 9,
        "only {with_rule} negatives under a stated rule"
    );
}

/// What this test draws beyond the shared generator.
trait AgentDraws {
    fn id(&mut self, max: usize) -> String;
}

impl AgentDraws for Rng {
    fn id(&mut self, max: usize) -> String {
        const PARTS: &[&str] = &["a", "Z", "9", "_", "-", "é", "模", "🤖", "Ω", " ", "."];
        let n = 1 + self.below(max);
        (0..n).map(|_| self.pick(PARTS)).collect()
    }
}

#[test]
fn random_2_1_helper_calls_are_all_valid() {
    let v21 = Validator::for_version(SchemaVersion::V2_1).unwrap();
    let config = Config::from_options(
        json!({"serviceName": "bh-mcp-gateway", "schemaVersion": "2.1", "validationFailureMode": "raise",
               "metadataAllowlist": ["tool", "count"]})
        .as_object()
        .unwrap(),
    )
    .unwrap();
    let mut logger = AuditLogger::new(config, MemorySink::new())
        .unwrap()
        .with_diagnostics(|_: bh_audit_logger::Level, _: &str| {});
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    const KEYS: &[&str] = &[
        "vendor",
        "model_family",
        "model_version",
        "harness",
        "harness_version",
    ];
    const ACTIONS: &[&str] = &[
        "READ", "CREATE", "UPDATE", "DELETE", "EXPORT", "PRINT", "OTHER",
    ];
    let mut by_helper = [0usize; 5];
    for i in 0..2000 {
        let mut agent = Map::new();
        agent.insert(
            "interface".into(),
            json!(rng.pick(&["ui_driving", "api", "mcp", "cli", "sdk"])),
        );
        for k in KEYS {
            if rng.chance(50) {
                agent.insert((*k).into(), json!(rng.id(128)));
            }
        }
        let depth = 1 + rng.below(32);
        let action = AgentAction {
            agent_subject_id: json!(rng.id(256)),
            agent: Value::Object(agent),
            authorizing_subject_id: json!(rng.id(256)),
            agent_session_id: json!(rng.id(128)),
            delegation_type: json!(rng.pick(&["supervised", "autonomous", "scheduled"])),
            chain_depth: (depth > 1 || rng.chance(50)).then(|| json!(depth)),
            parent_agent_session_id: (depth > 1).then(|| json!(rng.id(64))),
            authorizing_org_id: rng.chance(50).then(|| json!(rng.id(128))),
            acting_subject_id: rng.chance(50).then(|| json!(rng.id(256))),
        };
        let level = *[
            AttributionLevel::Verified,
            AttributionLevel::Bound,
            AttributionLevel::Asserted,
        ]
        .get(rng.below(3))
        .unwrap();
        let mut attribution = json!({"level": level.as_str()});
        if rng.chance(70) {
            attribution["method"] = json!(rng.id(64));
        }
        let outcome = match rng.below(3) {
            0 => json!({"status": "SUCCESS"}),
            1 => json!({"status": "DENIED", "error_type": "ScopeDenied"}),
            _ => {
                json!({"status": "FAILURE", "error_type": "ToolError", "error_message": "call 555-123-4567 failed"})
            }
        };
        let req = AuditRequest {
            resource: Some(json!({"type": "Patient", "id": rng.id(64)})),
            outcome: Some(outcome),
            metadata: rng
                .chance(30)
                .then(|| json!({"tool": rng.id(300), "count": i, "prompt": "dropped"})),
            phi_touched: rng.chance(50).then(|| json!(rng.chance(50))),
            attribution: Some(attribution),
            ..AuditRequest::default()
        };
        let helper = rng.below(5);
        by_helper[helper] += 1;
        let result = match helper {
            0 => logger.audit_agent_action(rng.pick(ACTIONS), action, req),
            1 => logger.audit_agent_session_start(action, req),
            2 => logger.audit_agent_session_end(action, req),
            3 => logger.audit_human_override(
                &rng.id(128),
                AuditRequest {
                    actor: Some(json!({"subject_id": rng.id(256), "subject_type": "human"})),
                    action_name: Some(json!(rng.pick(&[
                        "cancel_agent_session",
                        "pause",
                        "reverse"
                    ]))),
                    ..AuditRequest::default()
                },
            ),
            _ => logger.audit(
                rng.pick(ACTIONS),
                AuditRequest {
                    actor: Some(json!({"subject_id": rng.id(256), "subject_type": "agent"})),
                    attribution: Some(json!({"level": "unattributed", "method": "fail_open"})),
                    ..req
                },
            ),
        };
        let ev = result
            .unwrap_or_else(|e| panic!("call {i} (helper {helper}) refused: {e}"))
            .unwrap_or_else(|| panic!("call {i} dropped"));
        assert!(v21.is_valid(&ev.to_value()), "call {i}: invalid 2.1 event");
    }
    assert_eq!(logger.stats().events_emitted_total, 2000);
    assert!(by_helper.iter().all(|&n| n > 300), "{by_helper:?}");
}
