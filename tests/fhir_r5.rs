#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every resource `to_fhir_audit_event` makes for the upstream 2.0 and 2.1 examples and for
//! 2,000 generated 2.x events validates as an R5 AuditEvent with `fhir.resources` 8.x and
//! keeps the profile's invariants (tests/fhir/validate_r5.py); so do the resources for the
//! upstream 1.0 and 1.1 examples (which claim no profile).
//!
//! Needs a Python with `fhir.resources` 8.x: `$BH_FHIR_PYTHON`, else the venv `.venv-fhir`
//! that `./scripts/setup.sh python` (run by `./scripts/test.sh`) creates.
//!
//! The generated events (seeded, so the same every run) are valid 2.0 and 2.1 events, checked
//! with the crate's validator; they cover every attribution shape (direct human or service,
//! delegated with every descriptor field, sub-agent chains to depth 32, unattributed, override)
//! and every optional block. The files the test writes stay in the target directory
//! (`fhir-r5/events.ndjson`, `fhir-r5/resources.ndjson`) for inspection.

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

use std::path::Path;
use std::process::Command;

use bh_audit_logger::{to_fhir_audit_event, validate};
use serde_json::{json, Map, Value};

const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/bh-audit-schema/examples"
);
const GENERATED: usize = 2000;

/// What this test draws beyond the shared generator.
trait EventDraws {
    fn id(&mut self, prefix: &str) -> String;
    fn uuid(&mut self) -> String;
    fn timestamp(&mut self) -> String;
}

impl EventDraws for Rng {
    fn id(&mut self, prefix: &str) -> String {
        format!("{prefix}_{}", self.next() % 100_000)
    }
    fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            8 + (b >> 62),
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }
    fn timestamp(&mut self) -> String {
        let year = 2000 + self.below(31);
        let month = 1 + self.below(12);
        let day = 1 + self.below(28);
        let mut t = format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            self.below(24),
            self.below(60),
            self.below(60)
        );
        if self.chance(50) {
            let digits = 1 + self.below(9);
            t.push('.');
            for _ in 0..digits {
                t.push(char::from(b'0' + self.below(10) as u8));
            }
        }
        if self.chance(60) {
            t.push('Z');
        } else {
            let hours = self.below(15);
            let minutes = if hours == 14 {
                0
            } else {
                [0, 30, 45][self.below(3)]
            };
            let sign = if self.chance(50) { '+' } else { '-' };
            t.push_str(&format!("{sign}{hours:02}:{minutes:02}"));
        }
        t
    }
}

const NAMES: &[&str] = &[
    "get_patient",
    "verify_insurance",
    "sign_bps",
    "agent_session_start",
    "agent_session_end",
    "export_chart",
    "note write",
];
const RESOURCE_TYPES: &[&str] = &[
    "Patient",
    "Note",
    "Encounter",
    "Appointment",
    "Program",
    "Claim",
];
const ACTIONS: &[&str] = &[
    "READ", "CREATE", "UPDATE", "DELETE", "EXPORT", "LOGIN", "LOGOUT", "PRINT", "OTHER",
];
const ROLES: &[&str] = &[
    "clinician",
    "care_coordinator",
    "billing",
    "admin",
    "scheduler",
];

fn metadata_value(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => json!(rng.id("v")),
        1 => json!(rng.next() as i64 / 1_000_000),
        2 => json!(rng.below(1000) as f64 / 8.0),
        3 => json!((rng.next() % 1_000_000) as f64 * 10f64.powi(rng.below(30) as i32 - 12)),
        4 => json!(rng.chance(50)),
        5 => Value::Null,
        6 => json!(rng.below(50)),
        _ => json!(-(rng.below(100) as f64) - 0.25),
    }
}

/// One valid 2.0 or 2.1 event.
fn event(rng: &mut Rng) -> Value {
    let v21 = rng.chance(50);
    let mut e = Map::new();
    e.insert(
        "schema_version".into(),
        json!(if v21 { "2.1" } else { "2.0" }),
    );
    e.insert("event_id".into(), json!(rng.uuid()));
    e.insert("timestamp".into(), json!(rng.timestamp()));
    let mut service =
        json!({ "name": rng.pick(&["bh-intake-api", "notes-api", "bh-mcp-gateway", "billing"]) });
    if rng.chance(60) {
        service["environment"] = json!(rng.pick(&["prod", "staging", "dev"]));
    }
    if rng.chance(30) {
        service["version"] = json!("1.4.2");
    }
    e.insert("service".into(), service);
    if rng.chance(40) {
        let mut c = Map::new();
        for key in ["request_id", "trace_id", "session_id"] {
            if c.is_empty() || rng.chance(40) {
                c.insert(key.into(), json!(rng.id("corr")));
            }
        }
        e.insert("correlation".into(), Value::Object(c));
    }

    // 0 direct human, 1 direct service, 2 delegated, 3 unattributed (2.1), 4 override.
    let shape = match rng.below(10) {
        0..=1 => 0,
        2 => 1,
        3..=6 => 2,
        7..=8 if v21 => 3,
        7..=8 => 2,
        _ => 4,
    };
    let subject_type = match shape {
        0 | 4 => "human",
        1 => "service",
        3 => "agent",
        _ => rng.pick(&["agent", "human"]),
    };
    let mut actor = json!({ "subject_id": rng.id(if subject_type == "agent" { "agent_cred" } else { "user" }), "subject_type": subject_type });
    if rng.chance(40) {
        actor["org_id"] = json!(rng.id("org"));
    }
    if rng.chance(15) {
        actor["owner_org_id"] = json!(rng.id("org"));
    }
    if rng.chance(50) {
        let n = rng.below(4);
        actor["roles"] = json!((0..n).map(|_| rng.pick(ROLES)).collect::<Vec<_>>());
    }
    e.insert("actor".into(), actor);

    if shape == 2 {
        let mut agent =
            json!({ "interface": rng.pick(&["ui_driving", "api", "mcp", "cli", "sdk"]) });
        for key in [
            "vendor",
            "model_family",
            "model_version",
            "harness",
            "harness_version",
        ] {
            if rng.chance(60) {
                agent[key] = json!(rng.id(key));
            }
        }
        let mut d = json!({
            "acting": { "subject_id": rng.id("agent_inst"), "subject_type": "agent", "agent": agent },
            "authorizing": { "subject_id": rng.id("user"), "subject_type": "human" },
            "delegation_type": rng.pick(&["supervised", "autonomous", "scheduled"]),
            "agent_session_id": rng.id("sess"),
        });
        if rng.chance(30) {
            d["authorizing"]["org_id"] = json!(rng.id("org"));
        }
        if rng.chance(60) {
            let depth = if rng.chance(50) { 1 } else { 2 + rng.below(31) };
            d["chain_depth"] = json!(depth);
            if depth >= 2 {
                d["parent_agent_session_id"] = json!(rng.id("sess"));
            }
        }
        e.insert("delegation".into(), d);
        if v21 {
            let mut a = json!({ "level": rng.pick(&["verified", "bound", "asserted"]) });
            if rng.chance(60) {
                a["method"] = json!(rng.pick(&["oidc_token", "operator_binding", "agent_claim"]));
            }
            e.insert("attribution".into(), a);
        }
    }
    if shape == 3 {
        let mut a = json!({ "level": "unattributed" });
        if rng.chance(50) {
            a["method"] = json!("no_token_no_binding");
        }
        e.insert("attribution".into(), a);
    }

    let mut action = json!({ "type": if shape == 4 { "OVERRIDE" } else { rng.pick(ACTIONS) } });
    if rng.chance(50) {
        action["name"] = json!(rng.pick(NAMES));
    }
    if rng.chance(50) {
        action["phi_touched"] = json!(rng.chance(50));
    }
    if rng.chance(70) {
        action["data_classification"] = json!(rng.pick(&["PHI", "PII", "NONE", "UNKNOWN"]));
    }
    e.insert("action".into(), action);

    let mut resource = if shape == 4 {
        json!({ "type": "AgentSession", "id": rng.id("sess") })
    } else {
        json!({ "type": rng.pick(RESOURCE_TYPES) })
    };
    if shape != 4 && rng.chance(60) {
        resource["id"] = json!(rng.id("res"));
    }
    if rng.chance(50) {
        resource["patient_id"] = json!(rng.id("pat"));
    }
    e.insert("resource".into(), resource);

    if rng.chance(50) {
        let mut h = Map::new();
        if rng.chance(70) {
            h.insert(
                "method".into(),
                json!(rng.pick(&["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])),
            );
        }
        if rng.chance(60) {
            h.insert(
                "route_template".into(),
                json!("/patients/{patient_id}/notes"),
            );
        }
        if rng.chance(60) {
            h.insert("status_code".into(), json!(100 + rng.below(500)));
        }
        if rng.chance(50) {
            let ip = if rng.chance(50) {
                format!(
                    "10.{}.{}.{}",
                    rng.below(256),
                    rng.below(256),
                    rng.below(256)
                )
            } else {
                format!("2001:db8::{:x}", rng.below(65536))
            };
            h.insert("client_ip".into(), json!(ip));
        }
        if rng.chance(30) {
            h.insert("user_agent".into(), json!("synthetic-agent/1.0"));
        }
        e.insert("http".into(), Value::Object(h));
    }

    let status = rng.pick(&["SUCCESS", "SUCCESS", "FAILURE", "DENIED"]);
    let mut outcome = json!({ "status": status });
    if status != "SUCCESS" || rng.chance(10) {
        outcome["error_type"] = json!(rng.pick(&[
            "AccessDenied",
            "Timeout",
            "AttributionRequired",
            "ValidationError"
        ]));
    }
    if status == "FAILURE" || (status == "DENIED" && rng.chance(50)) {
        outcome["error_message"] = json!("synthetic failure message");
    }
    e.insert("outcome".into(), outcome);

    if rng.chance(25) {
        let mut i = json!({ "event_hash": format!("{:016x}", rng.next()), "hash_alg": "sha256" });
        if rng.chance(50) {
            i["prev_event_hash"] = json!(format!("{:016x}", rng.next()));
        }
        e.insert("integrity".into(), i);
    }
    if rng.chance(50) {
        let mut m = Map::new();
        for n in 0..rng.below(21) {
            m.insert(format!("key_{n}"), metadata_value(rng));
        }
        e.insert("metadata".into(), Value::Object(m));
    }
    Value::Object(e)
}

#[path = "support/python.rs"]
mod python;

fn example_events(versions: &[&str]) -> Vec<Value> {
    let mut events = Vec::new();
    for version in versions {
        let mut files: Vec<_> = std::fs::read_dir(Path::new(EXAMPLES).join(version))
            .unwrap_or_else(|e| panic!("examples for {version} missing: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            events.push(serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap());
        }
    }
    events
}

#[test]
fn every_resource_validates_as_r5_audit_event() {
    let py = python::venv_python("BH_FHIR_PYTHON", ".venv-fhir", "fhir.resources 8.x");
    let mut examples = example_events(&["2.0", "2.1"]);
    assert_eq!(
        examples.len(),
        18,
        "7 upstream 2.0 and 11 upstream 2.1 examples"
    );
    // The 1.x examples too (mapped without a profile claim).
    let v1 = example_events(&["1.0", "1.1"]);
    assert_eq!(v1.len(), 10, "4 upstream 1.0 and 6 upstream 1.1 examples");
    examples.extend(v1);

    let mut rng = Rng(0x5eed_f41e_0002_0001);
    let generated: Vec<Value> = (0..GENERATED).map(|_| event(&mut rng)).collect();
    for (n, e) in generated.iter().enumerate() {
        let issues = validate(e, None).unwrap();
        assert!(
            issues.is_empty(),
            "generated event {n} is invalid: {issues:?}\n{e}"
        );
    }
    // The generator reaches every shape.
    let count = |f: &dyn Fn(&Value) -> bool| generated.iter().filter(|e| f(e)).count();
    assert!(count(&|e| e["schema_version"] == "2.0" && e.get("delegation").is_some()) > 200);
    assert!(count(&|e| e["attribution"]["level"] == "unattributed") > 100);
    assert!(count(&|e| e["action"]["type"] == "OVERRIDE") > 100);
    assert!(count(&|e| e["delegation"]["chain_depth"].as_u64() >= Some(2)) > 100);
    assert!(count(&|e| e["outcome"]["status"] == "DENIED") > 300);
    assert!(count(&|e| e["http"].get("client_ip").is_some()) > 200);

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fhir-r5");
    std::fs::create_dir_all(&dir).unwrap();
    let mut events = String::new();
    let mut resources = String::new();
    for e in examples.iter().chain(&generated) {
        let r = to_fhir_audit_event(e).unwrap_or_else(|err| panic!("not converted: {err}\n{e}"));
        events.push_str(&e.to_string());
        events.push('\n');
        resources.push_str(&r.to_string());
        resources.push('\n');
    }
    std::fs::write(dir.join("events.ndjson"), events).unwrap();
    let file = dir.join("resources.ndjson");
    std::fs::write(&file, resources).unwrap();

    let out = Command::new(&py)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fhir/validate_r5.py"
        ))
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", py.display()));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "validate_r5.py gave no report (exit {:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(report["checked"], examples.len() + GENERATED, "{report}");
    assert_eq!(report["invalid_count"], 0, "{report}");
    assert!(out.status.success(), "{report}");
    eprintln!(
        "fhir.resources {}: {} resources valid R5 AuditEvents",
        report["fhir_resources"], report["checked"]
    );
}
