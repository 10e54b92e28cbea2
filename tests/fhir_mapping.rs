#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The FHIR R5 mapping, row by row: each row of the profile's element table (section 5 of
//! `docs/fhir/fhir-r5-gap-analysis-and-profile.md`) and of its loss register, with the details
//! the document leaves to the reference translator (`scripts/translate_to_fhir.py`) pinned
//! here by hand: URLs, member order, Python `str()` of values, which optional members appear.

use bh_audit_logger::fhir::{profile_canonical, CANONICAL};
use bh_audit_logger::{to_fhir_audit_event, to_fhir_audit_event_str, Error, SchemaVersion};
use serde_json::{json, Value};

const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/bh-audit-schema/examples"
);
const CS: &str = "https://bh-healthcare.github.io/bh-audit-schema/fhir/CodeSystem";
const EXT: &str = "https://bh-healthcare.github.io/bh-audit-schema/fhir/StructureDefinition";
const OPAQUE: &str = "https://bh-healthcare.github.io/bh-audit-schema/fhir/Identifier/opaque";

fn example(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("{EXAMPLES}/{path}"))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn fhir(event: &Value) -> Value {
    to_fhir_audit_event(event).unwrap_or_else(|e| panic!("not converted: {e}\n{event}"))
}

/// A minimal valid direct 2.0 event.
fn direct(version: &str) -> Value {
    json!({
        "schema_version": version,
        "event_id": "00000000-0000-4000-8000-000000000001",
        "timestamp": "2026-06-12T17:01:09Z",
        "service": { "name": "svc" },
        "actor": { "subject_id": "user_1", "subject_type": "human" },
        "action": { "type": "READ" },
        "resource": { "type": "Note" },
        "outcome": { "status": "SUCCESS" }
    })
}

/// A valid delegated event (2.1 carries an attribution block).
fn delegated(version: &str) -> Value {
    let mut e = direct(version);
    e["actor"] =
        json!({ "subject_id": "agent_cred_1", "subject_type": "agent", "roles": ["r1", "r2"] });
    e["delegation"] = json!({
        "acting": { "subject_id": "agent_inst_1", "subject_type": "agent", "agent": { "interface": "mcp" } },
        "authorizing": { "subject_id": "user_2", "subject_type": "human", "org_id": "org_9" },
        "delegation_type": "supervised",
        "agent_session_id": "sess_1"
    });
    if version == "2.1" {
        e["attribution"] = json!({ "level": "verified" });
    }
    e
}

fn coding(system: &str, code: &str) -> Value {
    json!({ "coding": [{ "system": system, "code": code }] })
}

fn idref(value: &str) -> Value {
    json!({ "identifier": { "system": OPAQUE, "value": value } })
}

fn slice_codes(r: &Value) -> Vec<&str> {
    r["agent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["type"]["coding"][0]["code"].as_str().unwrap())
        .collect()
}

fn ext<'a>(r: &'a Value, name: &str) -> Option<&'a Value> {
    r["extension"]
        .as_array()?
        .iter()
        .find(|e| e["url"] == format!("{EXT}/{name}"))
}

fn refused(event: &Value) -> Vec<(String, String, String)> {
    match to_fhir_audit_event(event) {
        Err(Error::Validation { issues }) => issues
            .into_iter()
            .map(|i| (i.instance_path, i.keyword, i.message))
            .collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// ---- whole resources, members in the reference translator's order ----

#[test]
fn upstream_direct_read_2_0_whole_resource() {
    let got = to_fhir_audit_event_str(&example("2.0/human_direct_read.json").to_string()).unwrap();
    let want = json!({
        "resourceType": "AuditEvent",
        "id": "b0511f60-8293-4eaf-a031-4d5e6f708192",
        "meta": { "profile": [format!("{CANONICAL}/2.0/StructureDefinition/bh-audit-event")] },
        "category": [coding(&format!("{CS}/event-category"), "bh-audit")],
        "code": coding(&format!("{CS}/action-name"), "read"),
        "action": "R",
        "recorded": "2026-06-12T17:01:09Z",
        "agent": [{
            "type": coding(&format!("{CS}/attribution-role"), "direct"),
            "who": idref("user_456"),
            "requestor": true,
            "role": [{ "text": "clinician" }]
        }],
        "source": { "observer": idref("bh-intake-api") },
        "entity": [
            {
                "role": { "text": "Patient" },
                "what": idref("pat_789"),
                "securityLabel": [coding("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R")]
            },
            {
                "role": { "text": "Transaction" },
                "detail": [
                    { "type": coding(&format!("{CS}/http-detail"), "method"), "valueString": "GET" },
                    { "type": coding(&format!("{CS}/http-detail"), "route_template"), "valueString": "/patients/{patient_id}" },
                    { "type": coding(&format!("{CS}/http-detail"), "status_code"), "valueString": "200" }
                ]
            }
        ],
        "outcome": { "code": { "system": "http://terminology.hl7.org/CodeSystem/audit-event-outcome", "code": "0", "display": "Success" } },
        "patient": { "identifier": { "system": OPAQUE, "value": "pat_789" }, "type": "Patient" }
    });
    assert_eq!(got, want.to_string());
}

#[test]
fn upstream_sub_agent_2_1_whole_resource() {
    let got =
        to_fhir_audit_event_str(&example("2.1/sub_agent_depth2_export.json").to_string()).unwrap();
    let agent = |code: &str, who: &str, requestor: bool| json!({ "type": coding(&format!("{CS}/attribution-role"), code), "who": idref(who), "requestor": requestor });
    let mut authenticating = agent("authenticating-identity", "agent_cred_010", false);
    authenticating["role"] = json!([{ "text": "reporting_delegate" }]);
    let mut acting = agent("acting-identity", "agent_inst_sub_8821", false);
    acting["extension"] = json!([{
        "url": format!("{EXT}/agent-descriptor"),
        "extension": [
            { "url": "interface", "valueCode": "api" },
            { "url": "vendor", "valueString": "vendor_a" },
            { "url": "model-family", "valueString": "model_x" },
            { "url": "model-version", "valueString": "x-3.1" },
            { "url": "harness", "valueString": "subagent_runner" },
            { "url": "harness-version", "valueString": "0.4.2" }
        ]
    }]);
    let want = json!({
        "resourceType": "AuditEvent",
        "id": "af4d5e60-7182-4d9e-bf20-3c4d5e6f7081",
        "meta": { "profile": [format!("{CANONICAL}/2.1/StructureDefinition/bh-audit-event")] },
        "category": [coding(&format!("{CS}/event-category"), "bh-audit")],
        "code": coding(&format!("{CS}/action-name"), "weekly_attendance_summary"),
        "action": "E",
        "recorded": "2026-06-12T16:45:33Z",
        "agent": [authenticating, acting, agent("authorizing-identity", "user_123", true)],
        "source": { "observer": idref("bh-export-worker") },
        "entity": [
            {
                "role": { "text": "PatientRecord" },
                "what": idref("export_222"),
                "securityLabel": [coding("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R")]
            },
            {
                "role": { "text": "Metadata" },
                "detail": [
                    { "type": coding(&format!("{CS}/metadata"), "record_count"), "valueString": "12" },
                    { "type": coding(&format!("{CS}/metadata"), "export_format"), "valueString": "csv" }
                ]
            }
        ],
        "outcome": { "code": { "system": "http://terminology.hl7.org/CodeSystem/audit-event-outcome", "code": "0", "display": "Success" } },
        "extension": [
            { "url": format!("{EXT}/delegation-type"), "valueCode": "autonomous" },
            { "url": format!("{EXT}/agent-session-id"), "valueString": "agsess_01J9X0003_SUB" },
            { "url": format!("{EXT}/chain-depth"), "valuePositiveInt": 2 },
            { "url": format!("{EXT}/parent-agent-session-id"), "valueString": "agsess_01J9X0003" },
            { "url": format!("{EXT}/attribution-level"), "valueCode": "verified" },
            { "url": format!("{EXT}/attribution-method"), "valueString": "id_jag" }
        ],
        "patient": { "identifier": { "system": OPAQUE, "value": "pat_456" }, "type": "Patient" }
    });
    assert_eq!(got, want.to_string());
}

// ---- the element table, row by row ----

#[test]
fn row_event_id_timestamp_schema_version() {
    for v in ["2.0", "2.1"] {
        let r = fhir(&direct(v));
        assert_eq!(r["id"], "00000000-0000-4000-8000-000000000001");
        assert_eq!(r["recorded"], "2026-06-12T17:01:09Z");
        let canonical = format!("{CANONICAL}/{v}/StructureDefinition/bh-audit-event");
        assert_eq!(r["meta"], json!({ "profile": [canonical] }));
        assert_eq!(
            profile_canonical(SchemaVersion::parse(v).unwrap()),
            Some(canonical.as_str())
        );
    }
    assert_eq!(profile_canonical(SchemaVersion::V1_1), None);
}

#[test]
fn row_service_name_is_source_observer() {
    let mut e = direct("2.0");
    e["service"] =
        json!({ "name": "notes-api", "environment": "prod-env-x", "version": "9.9.9-ver" });
    let r = fhir(&e);
    assert_eq!(r["source"], json!({ "observer": idref("notes-api") }));
    let text = r.to_string();
    assert!(!text.contains("prod-env-x") && !text.contains("9.9.9-ver"));
}

#[test]
fn row_actor_is_direct_agent_with_roles() {
    let mut e = direct("2.0");
    e["actor"]["roles"] = json!(["clinician", "billing"]);
    let r = fhir(&e);
    assert_eq!(
        r["agent"],
        json!([{
            "type": coding(&format!("{CS}/attribution-role"), "direct"),
            "who": idref("user_1"),
            "requestor": true,
            "role": [{ "text": "clinician" }, { "text": "billing" }]
        }])
    );
    // No roles, or an empty list: no `role`.
    assert!(fhir(&direct("2.0"))["agent"][0].get("role").is_none());
    e["actor"]["roles"] = json!([]);
    assert!(fhir(&e)["agent"][0].get("role").is_none());
    // A service actor is direct too.
    e["actor"] = json!({ "subject_id": "svc_1", "subject_type": "service" });
    assert_eq!(slice_codes(&fhir(&e)), ["direct"]);
}

#[test]
fn rows_delegation_three_slices() {
    for v in ["2.0", "2.1"] {
        let r = fhir(&delegated(v));
        assert_eq!(
            slice_codes(&r),
            [
                "authenticating-identity",
                "acting-identity",
                "authorizing-identity"
            ]
        );
        let a = r["agent"].as_array().unwrap();
        assert_eq!(
            [&a[0]["requestor"], &a[1]["requestor"], &a[2]["requestor"]],
            [&json!(false), &json!(false), &json!(true)]
        );
        assert_eq!(a[0]["who"], idref("agent_cred_1"));
        assert_eq!(a[0]["role"], json!([{ "text": "r1" }, { "text": "r2" }]));
        assert_eq!(a[1]["who"], idref("agent_inst_1"));
        assert_eq!(a[2]["who"], idref("user_2"));
        // Roles stay with the authenticating identity; the authorizing org_id has no home.
        assert!(a[1].get("role").is_none() && a[2].get("role").is_none());
        assert!(!r.to_string().contains("org_9"));
        // The descriptor: interface alone when nothing else is given.
        assert_eq!(
            a[1]["extension"],
            json!([{ "url": format!("{EXT}/agent-descriptor"), "extension": [{ "url": "interface", "valueCode": "mcp" }] }])
        );
    }
}

#[test]
fn row_agent_descriptor_sub_extensions_in_order() {
    let mut e = delegated("2.0");
    // Given in another order: written in the profile's order, underscores as hyphens.
    e["delegation"]["acting"]["agent"] = json!({
        "harness_version": "h2", "model_version": "m2", "interface": "ui_driving",
        "vendor": "v", "harness": "h", "model_family": "m"
    });
    let r = fhir(&e);
    let urls: Vec<&str> = r["agent"][1]["extension"][0]["extension"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "interface",
            "vendor",
            "model-family",
            "model-version",
            "harness",
            "harness-version"
        ]
    );
    assert_eq!(
        r["agent"][1]["extension"][0]["extension"][0],
        json!({ "url": "interface", "valueCode": "ui_driving" })
    );
    assert_eq!(
        r["agent"][1]["extension"][0]["extension"][5],
        json!({ "url": "harness-version", "valueString": "h2" })
    );
}

#[test]
fn rows_delegation_extensions() {
    let mut e = delegated("2.0");
    let r = fhir(&e);
    assert_eq!(
        r["extension"],
        json!([
            { "url": format!("{EXT}/delegation-type"), "valueCode": "supervised" },
            { "url": format!("{EXT}/agent-session-id"), "valueString": "sess_1" }
        ])
    );
    e["delegation"]["chain_depth"] = json!(1);
    let r = fhir(&e);
    assert_eq!(ext(&r, "chain-depth").unwrap()["valuePositiveInt"], 1);
    assert!(ext(&r, "parent-agent-session-id").is_none());
    e["delegation"]["chain_depth"] = json!(32);
    e["delegation"]["parent_agent_session_id"] = json!("sess_0");
    let r = fhir(&e);
    let urls: Vec<&str> = r["extension"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["url"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "delegation-type",
            "agent-session-id",
            "chain-depth",
            "parent-agent-session-id"
        ]
    );
    assert_eq!(ext(&r, "chain-depth").unwrap()["valuePositiveInt"], 32);
    assert_eq!(
        ext(&r, "parent-agent-session-id").unwrap()["valueString"],
        "sess_0"
    );
    // A direct event has no extensions at all.
    assert!(fhir(&direct("2.0")).get("extension").is_none());
}

#[test]
fn rows_attribution_2_1() {
    for level in ["verified", "bound", "asserted"] {
        let mut e = delegated("2.1");
        e["attribution"] = json!({ "level": level, "method": "oidc" });
        let r = fhir(&e);
        let n = r["extension"].as_array().unwrap().len();
        // After the delegation extensions.
        assert_eq!(
            r["extension"][n - 2],
            json!({ "url": format!("{EXT}/attribution-level"), "valueCode": level })
        );
        assert_eq!(
            r["extension"][n - 1],
            json!({ "url": format!("{EXT}/attribution-method"), "valueString": "oidc" })
        );
    }
    let e = delegated("2.1");
    assert!(ext(&fhir(&e), "attribution-method").is_none());
    assert!(ext(&fhir(&delegated("2.0")), "attribution-level").is_none());
}

#[test]
fn row_unattributed_slice_2_1() {
    let mut e = direct("2.1");
    e["actor"] = json!({ "subject_id": "agent_cred_3", "subject_type": "agent", "roles": ["r"] });
    e["attribution"] = json!({ "level": "unattributed", "method": "no_token" });
    e["http"] = json!({ "client_ip": "10.0.0.1" });
    let r = fhir(&e);
    assert_eq!(
        r["agent"],
        json!([{
            "type": coding(&format!("{CS}/attribution-role"), "unattributed"),
            "who": idref("agent_cred_3"),
            "requestor": false,
            "role": [{ "text": "r" }],
            "networkString": "10.0.0.1"
        }])
    );
    assert_eq!(
        r["extension"],
        json!([
            { "url": format!("{EXT}/attribution-level"), "valueCode": "unattributed" },
            { "url": format!("{EXT}/attribution-method"), "valueString": "no_token" }
        ])
    );
}

#[test]
fn row_action_type_and_name() {
    let table = [
        ("READ", "R"),
        ("CREATE", "C"),
        ("UPDATE", "U"),
        ("DELETE", "D"),
        ("EXPORT", "E"),
        ("LOGIN", "E"),
        ("LOGOUT", "E"),
        ("PRINT", "E"),
        ("OTHER", "E"),
    ];
    for (t, code) in table {
        let mut e = direct("2.0");
        e["action"] = json!({ "type": t });
        let r = fhir(&e);
        assert_eq!(r["action"], code, "{t}");
        // Without a name, the code is the type in lower case.
        assert_eq!(
            r["code"],
            coding(&format!("{CS}/action-name"), &t.to_lowercase())
        );
        e["action"]["name"] = json!("verify insurance");
        assert_eq!(
            fhir(&e)["code"],
            coding(&format!("{CS}/action-name"), "verify insurance")
        );
    }
    let r = fhir(&example("2.0/human_override_agent_session.json"));
    assert_eq!(r["action"], "E");
    assert_eq!(slice_codes(&r), ["direct"]);
}

#[test]
fn row_data_classification_is_security_label() {
    for (class, code) in [("PHI", "R"), ("PII", "N"), ("NONE", "U"), ("UNKNOWN", "U")] {
        let mut e = direct("2.0");
        e["action"]["data_classification"] = json!(class);
        assert_eq!(
            fhir(&e)["entity"][0]["securityLabel"],
            json!([coding(
                "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                code
            )])
        );
    }
    assert!(fhir(&direct("2.0"))["entity"][0]
        .get("securityLabel")
        .is_none());
}

#[test]
fn row_resource_is_entity_and_patient() {
    let mut e = direct("2.0");
    let r = fhir(&e);
    assert_eq!(r["entity"], json!([{ "role": { "text": "Note" } }]));
    assert!(r.get("patient").is_none());
    e["resource"] = json!({ "type": "Note", "id": "note_1", "patient_id": "pat_1" });
    let r = fhir(&e);
    assert_eq!(
        r["entity"][0],
        json!({ "role": { "text": "Note" }, "what": idref("note_1") })
    );
    assert_eq!(
        r["patient"],
        json!({ "identifier": { "system": OPAQUE, "value": "pat_1" }, "type": "Patient" })
    );
}

#[test]
fn row_outcome_status_and_denied_detail() {
    let mut e = direct("2.0");
    let r = fhir(&e);
    assert_eq!(
        r["outcome"],
        json!({ "code": { "system": "http://terminology.hl7.org/CodeSystem/audit-event-outcome", "code": "0", "display": "Success" } })
    );
    e["outcome"] = json!({ "status": "FAILURE", "error_type": "Timeout", "error_message": "secret-message-text" });
    let r = fhir(&e);
    assert_eq!(
        r["outcome"],
        json!({
            "code": { "system": "http://terminology.hl7.org/CodeSystem/audit-event-outcome", "code": "8", "display": "Serious failure" },
            "detail": [coding(&format!("{CS}/error-type"), "Timeout")]
        })
    );
    assert!(!r.to_string().contains("secret-message-text"));
    // DENIED: grade 8 (the loss for consumers that ignore the profile) plus the `denied` coding
    // first, then the error type (inv-4).
    e["outcome"] = json!({ "status": "DENIED", "error_type": "AccessDenied" });
    assert_eq!(
        fhir(&e)["outcome"],
        json!({
            "code": { "system": "http://terminology.hl7.org/CodeSystem/audit-event-outcome", "code": "8", "display": "Serious failure" },
            "detail": [coding(&format!("{CS}/outcome-detail"), "denied"), coding(&format!("{CS}/error-type"), "AccessDenied")]
        })
    );
    // An error type on a success is still a detail.
    e["outcome"] = json!({ "status": "SUCCESS", "error_type": "Retried" });
    assert_eq!(
        fhir(&e)["outcome"]["detail"],
        json!([coding(&format!("{CS}/error-type"), "Retried")])
    );
}

#[test]
fn rows_http_transaction_entity_and_client_ip() {
    let mut e = direct("2.0");
    e["http"] = json!({ "status_code": 404, "user_agent": "ua-secret", "method": "POST" });
    let r = fhir(&e);
    assert_eq!(
        r["entity"][1],
        json!({ "role": { "text": "Transaction" }, "detail": [
            { "type": coding(&format!("{CS}/http-detail"), "method"), "valueString": "POST" },
            { "type": coding(&format!("{CS}/http-detail"), "status_code"), "valueString": "404" }
        ] })
    );
    assert!(!r.to_string().contains("ua-secret"));
    // client_ip alone: no transaction entity; the address on the first agent.
    e["http"] = json!({ "client_ip": "2001:db8::7" });
    let r = fhir(&e);
    assert_eq!(r["entity"].as_array().unwrap().len(), 1);
    assert_eq!(r["agent"][0]["networkString"], "2001:db8::7");
    // Delegated: on the authenticating slice (the credential that connected) only.
    let mut d = delegated("2.1");
    d["http"] = json!({ "client_ip": "10.1.2.3" });
    let r = fhir(&d);
    assert_eq!(r["agent"][0]["networkString"], "10.1.2.3");
    assert!(
        r["agent"][1].get("networkString").is_none()
            && r["agent"][2].get("networkString").is_none()
    );
    // An empty http block adds nothing.
    e["http"] = json!({});
    assert_eq!(fhir(&e), fhir(&direct("2.0")));
}

#[test]
fn row_metadata_entity_with_python_str_values() {
    let mut e = direct("2.1");
    let text = e.to_string();
    // Numbers as their text says (what Python's json.load and str() make of it).
    let with_meta = format!(
        "{},\"metadata\":{{\"n\":12,\"f\":1.0,\"e\":1E2,\"big\":123456789012345678901234567890,\"neg0\":-0,\"tiny\":0.00001,\"huge\":1e16,\"t\":true,\"no\":false,\"s\":\"x\",\"skip\":null}}}}",
        &text[..text.len() - 1]
    );
    let r: Value = serde_json::from_str(&to_fhir_audit_event_str(&with_meta).unwrap()).unwrap();
    let pairs: Vec<(String, String)> = r["entity"][1]["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["type"]["coding"][0]["system"], format!("{CS}/metadata"));
            (
                d["type"]["coding"][0]["code"].as_str().unwrap().to_string(),
                d["valueString"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("n", "12"),
        ("f", "1.0"),
        ("e", "100.0"),
        ("big", "123456789012345678901234567890"),
        ("neg0", "0"),
        ("tiny", "1e-05"),
        ("huge", "1e+16"),
        ("t", "True"),
        ("no", "False"),
        ("s", "x"),
    ];
    assert_eq!(
        pairs,
        want.map(|(k, v)| (k.to_string(), v.to_string())).to_vec()
    );
    assert_eq!(r["entity"][1]["role"], json!({ "text": "Metadata" }));
    // Only nulls, or nothing: no metadata entity.
    e["metadata"] = json!({ "a": null });
    assert_eq!(fhir(&e)["entity"].as_array().unwrap().len(), 1);
    e["metadata"] = json!({});
    assert_eq!(fhir(&e)["entity"].as_array().unwrap().len(), 1);
}

#[test]
fn entities_in_order_resource_transaction_metadata() {
    let mut e = direct("2.0");
    e["metadata"] = json!({ "k": "v" });
    e["http"] = json!({ "method": "GET" });
    let r = fhir(&e);
    let roles: Vec<&str> = r["entity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["role"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["Note", "Transaction", "Metadata"]);
}

// ---- the loss register ----

#[test]
fn loss_register_integrity_and_correlation_are_not_forced_anywhere() {
    let mut e = example("1.1/service_export_with_integrity.json");
    let plain = {
        let mut p = e.clone();
        p.as_object_mut().unwrap().remove("integrity");
        fhir(&p)
    };
    let r = fhir(&e);
    assert_eq!(r, plain, "integrity changes nothing in the resource");
    let hash = e["integrity"]["event_hash"].as_str().unwrap().to_string();
    assert!(!r.to_string().contains(&hash));

    e = direct("2.1");
    e["correlation"] =
        json!({ "request_id": "req-zzz", "trace_id": "trace-zzz", "session_id": "sess-zzz" });
    let r = fhir(&e);
    assert_eq!(r, fhir(&direct("2.1")), "correlation changes nothing");
    assert!(!r.to_string().contains("zzz"));
}

#[test]
fn loss_register_fields_without_a_home() {
    let mut e = delegated("2.1");
    e["actor"]["org_id"] = json!("org_lost_1");
    e["actor"]["owner_org_id"] = json!("org_lost_2");
    e["action"]["phi_touched"] = json!(true);
    e["outcome"] = json!({ "status": "DENIED", "error_type": "AccessDenied", "error_message": "lost message" });
    let text = fhir(&e).to_string();
    for lost in [
        "org_lost_1",
        "org_lost_2",
        "org_9",
        "phi_touched",
        "lost message",
    ] {
        assert!(!text.contains(lost), "{lost}");
    }
}

// ---- refusals: nothing forced into a primitive that cannot hold it ----

#[test]
fn invalid_events_are_refused_with_the_schema_issues() {
    let mut e = direct("2.1");
    e["actor"]["subject_type"] = json!("agent"); // an agent needs delegation or unattributed
    let issues = refused(&e);
    assert!(!issues.is_empty() && issues.iter().all(|(_, k, _)| k != "fhir"));
    assert!(matches!(
        to_fhir_audit_event(&json!({ "schema_version": "3.0" })),
        Err(Error::UnsupportedSchemaVersion)
    ));
    assert!(matches!(
        to_fhir_audit_event_str("{\"a\":"),
        Err(Error::Json { .. })
    ));
}

#[test]
fn values_no_r5_primitive_accepts_are_refused_by_path() {
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut e = direct("2.0");
                e["timestamp"] = json!("2026-06-12t17:01:09Z");
                e
            },
            "/timestamp",
        ),
        (
            {
                let mut e = direct("2.0");
                e["timestamp"] = json!("2026-06-12T17:01:09+15:00");
                e
            },
            "/timestamp",
        ),
        (
            {
                let mut e = direct("2.0");
                e["action"]["name"] = json!("");
                e
            },
            "/action/name",
        ),
        (
            {
                let mut e = direct("2.0");
                e["action"]["name"] = json!("two  spaces");
                e
            },
            "/action/name",
        ),
        (
            {
                let mut e = direct("2.0");
                e["outcome"] = json!({ "status": "DENIED", "error_type": " Leading" });
                e
            },
            "/outcome/error_type",
        ),
        (
            {
                let mut e = direct("2.0");
                e["http"] = json!({ "route_template": "" });
                e
            },
            "/http/route_template",
        ),
        (
            {
                let mut e = direct("2.0");
                e["metadata"] = json!({ "ok": 1, "patient  name  here": 2 });
                e
            },
            "/metadata",
        ),
        (
            {
                let mut e = direct("2.0");
                e["metadata"] = json!({ "empty": "" });
                e
            },
            "/metadata",
        ),
    ];
    for (event, path) in cases {
        let issues = refused(&event);
        assert!(
            issues.iter().any(|(p, k, _)| p == path && k == "fhir"),
            "{path}: {issues:?}"
        );
        for (p, _, m) in &issues {
            assert!(!m.contains("patient") && !p.contains("patient"), "{m}");
            assert_eq!(m, &m.to_lowercase().replace("t and z", "T and Z"), "{m}");
        }
    }
    // The metadata member is named by its position.
    let mut e = direct("2.0");
    e["metadata"] = json!({ "ok": 1, "patient  name  here": 2 });
    assert!(refused(&e)[0].2.starts_with("member 2 (counted from 1)"));
}

// ---- 1.x: mapped without a profile claim ----

#[test]
fn schema_1x_events_have_no_profile_and_one_direct_agent() {
    for path in [
        "1.0/login_success.json",
        "1.0/note_update_failure.json",
        "1.1/access_denied.json",
        "1.1/cross_org_access_denied.json",
        "1.1/patient_read_success.json",
    ] {
        let e = example(path);
        let r = fhir(&e);
        assert!(r.get("meta").is_none(), "{path}");
        assert_eq!(slice_codes(&r), ["direct"], "{path}");
        // Otherwise the same rows as a 2.0 event with the same fields.
        let mut as_2_0 = e.clone();
        as_2_0["schema_version"] = json!("2.0");
        if to_fhir_audit_event(&as_2_0).is_ok() {
            let mut r2 = fhir(&as_2_0);
            r2.as_object_mut().unwrap().remove("meta");
            assert_eq!(r, r2, "{path}");
        }
    }
    let r = fhir(&example("1.1/access_denied.json"));
    assert_eq!(r["outcome"]["detail"][0]["coding"][0]["code"], "denied");
}

#[test]
fn schema_1_0_nested_metadata_has_no_home() {
    let mut e = example("1.0/login_success.json");
    e["metadata"] = json!({ "flat": 1, "nested": { "a": 1 } });
    let issues = refused(&e);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].0, "/metadata");
    assert!(issues[0].2.contains("member 2") && issues[0].2.contains("scalar"));
}

#[test]
fn duplicate_names_resolve_to_the_last_as_python_does() {
    let e = direct("2.0").to_string();
    let dup = format!("{},\"action\":{{\"type\":\"DELETE\"}}}}", &e[..e.len() - 1]);
    let r: Value = serde_json::from_str(&to_fhir_audit_event_str(&dup).unwrap()).unwrap();
    assert_eq!(r["action"], "D");
}

#[test]
fn schema_1_0_values_without_an_r5_form_are_refused() {
    // 1.0 event ids need only 16 characters; an R5 id allows no underscore.
    let mut e = example("1.0/login_success.json");
    e["event_id"] = json!("evt_0000000000000001");
    let issues = refused(&e);
    assert!(
        issues
            .iter()
            .any(|(p, k, _)| p == "/event_id" && k == "fhir"),
        "{issues:?}"
    );
    // 1.0 roles may be empty strings; an R5 string may not.
    let mut e = example("1.0/login_success.json");
    e["actor"]["roles"] = json!(["ok", ""]);
    let issues = refused(&e);
    assert!(
        issues
            .iter()
            .any(|(p, k, _)| p == "/actor/roles/1" && k == "fhir"),
        "{issues:?}"
    );
}
