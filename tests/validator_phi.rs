#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Validation issues never echo instance values: synthetic PHI placed in invalid
//! positions must not appear in any message, instance path or schema path.

use std::path::Path;

use bh_audit_logger::{validate, SchemaVersion};
use serde_json::{json, Value};

const PHI: &[&str] = &[
    "123-45-6789",
    "jane.doe@example.com",
    "555-867-5309",
    "Jane Q Public",
    "MRN 00123456789",
];

fn base_event() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/bh-audit-schema/examples/1.1/patient_read_success.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn issues_contain_no_phi() {
    let mut e = base_event();
    let long = format!("{} {}", PHI[3], "x".repeat(300));
    e["event_id"] = json!(PHI[0]); // bad uuid format and length
    e["timestamp"] = json!(PHI[2]); // bad date-time
    e["service"]["name"] = json!(long); // too long
    e["actor"]["subject_id"] = json!(["MRN 00123456789"]); // wrong type
    e["actor"]["subject_type"] = json!(PHI[1]); // not in enum
    e["actor"]["roles"] = json!([PHI[3], 5]);
    e["action"]["type"] = json!(PHI[4]); // bad enum
    e["action"]["phi_touched"] = json!(PHI[2]); // wrong type
    e["resource"]["ssn"] = json!(PHI[0]); // unknown key, PHI value
    e["outcome"]["status"] = json!({"patient": PHI[3]});
    e["extra_top_level"] = json!({"email": PHI[1], "phone": PHI[2]});
    if let Some(ip) = e.pointer_mut("/actor") {
        ip["org_id"] = json!(123_456_789);
    }
    let issues = validate(&e, Some(SchemaVersion::V1_1)).unwrap();
    // Every broken position is reported, by path and keyword, and nothing else.
    let got: Vec<(&str, &str)> = issues
        .iter()
        .map(|i| (i.instance_path.as_str(), i.keyword.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("/extra_top_level", "additionalProperties"),
            ("/event_id", "format"),
            ("/event_id", "minLength"),
            ("/timestamp", "format"),
            ("/service/name", "maxLength"),
            ("/actor/subject_id", "type"),
            ("/actor/subject_type", "enum"),
            ("/actor/org_id", "type"),
            ("/actor/roles/1", "type"),
            ("/action/type", "enum"),
            ("/action/phi_touched", "type"),
            ("/resource/ssn", "additionalProperties"),
            ("/outcome/status", "type"),
            ("/outcome/status", "enum"),
        ]
    );
    let rendered = serde_json::to_string(&issues).unwrap();
    for token in PHI {
        assert!(
            !rendered.contains(token),
            "issue output contains {token}: {rendered}"
        );
        for i in &issues {
            assert!(!i.message.contains(token));
            assert!(!i.instance_path.contains(token));
            assert!(!i.schema_path.contains(token));
            assert!(!i.to_string().contains(token));
        }
    }
    // Numbers from the instance do not leak either.
    assert!(!rendered.contains("123456789"), "{rendered}");
    // The unknown key is reported at its own path, by name only.
    assert!(issues
        .iter()
        .any(|i| i.instance_path == "/resource/ssn" && i.keyword == "additionalProperties"));
    assert!(issues
        .iter()
        .any(|i| i.instance_path == "/extra_top_level" && i.keyword == "additionalProperties"));
}

#[test]
fn phi_in_every_string_position_does_not_leak() {
    // Replace every string leaf of a valid event with each token in turn.
    fn leaves(v: &Value, path: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m
                .iter()
                .for_each(|(k, x)| leaves(x, format!("{path}/{k}"), out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| leaves(x, format!("{path}/{i}"), out)),
            _ => out.push(path),
        }
    }
    // The leaves where a token is invalid, and the keywords that must say so at that path;
    // at every other leaf (free-text identifiers and names) a token is valid.
    const CONSTRAINED: &[(&str, &[&str])] = &[
        ("/schema_version", &["const"]),
        ("/event_id", &["format", "minLength"]),
        ("/timestamp", &["format"]),
        ("/actor/subject_type", &["enum"]),
        ("/action/type", &["enum"]),
        ("/action/phi_touched", &["type"]),
        ("/action/data_classification", &["enum"]),
        ("/http/method", &["enum"]),
        ("/http/status_code", &["type"]),
        ("/outcome/status", &["enum"]),
    ];
    let base = base_event();
    let mut paths = Vec::new();
    leaves(&base, String::new(), &mut paths);
    assert_eq!(paths.len(), 23, "{paths:?}");
    for (p, _) in CONSTRAINED {
        assert!(
            paths.iter().any(|x| x == p),
            "{p} is not a leaf of the event"
        );
    }
    let mut raised = 0;
    for p in &paths {
        let want: &[&str] = CONSTRAINED
            .iter()
            .find(|(c, _)| c == p)
            .map_or(&[], |(_, k)| k);
        for token in PHI {
            let mut e = base.clone();
            *e.pointer_mut(p).unwrap() = json!(token);
            let issues = validate(&e, Some(SchemaVersion::V1_1)).unwrap();
            let rendered = serde_json::to_string(&issues).unwrap();
            assert!(!rendered.contains(token), "{p}: {rendered}");
            let got: Vec<(&str, &str)> = issues
                .iter()
                .map(|i| (i.instance_path.as_str(), i.keyword.as_str()))
                .collect();
            let expected: Vec<(&str, &str)> = want.iter().map(|k| (p.as_str(), *k)).collect();
            assert_eq!(got, expected, "{p} = {token:?}");
            raised += got.len();
        }
    }
    assert_eq!(raised, 11 * PHI.len());
}
