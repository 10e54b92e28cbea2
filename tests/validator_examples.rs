#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Upstream bh-audit-schema examples: positives are valid, negatives fail on the
//! keyword recorded in `tests/data/validator/negative_keywords.json`.

use std::path::{Path, PathBuf};

use bh_audit_logger::{validate, validate_str, Error, SchemaVersion, Validator};
use serde_json::{json, Value};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bh-audit-schema/examples")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = rd
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn load(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn vendored_schemas_compile() {
    for v in SchemaVersion::ALL {
        let schema: Value = serde_json::from_str(v.schema_text()).unwrap();
        Validator::compile(&schema).unwrap_or_else(|e| panic!("{v}: {e}"));
        Validator::for_version(v).unwrap();
    }
}

#[test]
fn positive_examples_are_valid() {
    let mut count = 0;
    for v in SchemaVersion::ALL {
        let files = json_files(&examples_dir().join(v.as_str()));
        assert!(!files.is_empty(), "no examples for {v}");
        for p in files {
            let event = load(&p);
            let issues = validate(&event, Some(v)).unwrap();
            assert!(issues.is_empty(), "{}: {issues:?}", p.display());
            assert!(Validator::for_version(v).unwrap().is_valid(&event));
            // The event's own schema_version selects the same schema.
            assert!(validate(&event, None).unwrap().is_empty());
            count += 1;
        }
    }
    assert!(count >= 20, "only {count} positive examples");
}

#[test]
fn negative_examples_fail_on_recorded_keywords() {
    let expected: serde_json::Map<String, Value> = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/validator/negative_keywords.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut seen = 0;
    for v in SchemaVersion::ALL {
        for p in json_files(&examples_dir().join(v.as_str()).join("negative")) {
            let key = format!("{v}/negative/{}", p.file_name().unwrap().to_string_lossy());
            let event = load(&p);
            let validator = Validator::for_version(v).unwrap();
            assert!(!validator.is_valid(&event), "{key} is valid");
            let got: Vec<Value> = validator
                .validate(&event)
                .iter()
                .map(|i| json!({"keyword": i.keyword, "instancePath": i.instance_path, "schemaPath": i.schema_path}))
                .collect();
            let want = expected
                .get(&key)
                .unwrap_or_else(|| panic!("{key} not recorded in negative_keywords.json"));
            assert_eq!(&Value::Array(got), want, "{key}");
            seen += 1;
        }
    }
    assert_eq!(
        seen,
        expected.len(),
        "negative_keywords.json lists files that no longer exist"
    );
}

#[test]
fn unknown_keyword_fails_compile_with_its_name_and_path() {
    for (schema, needle) in [
        (json!({"foo": 1}), "`foo` at /foo"),
        (
            json!({"properties": {"a": {"typ": "string"}}}),
            "`typ` at /properties/a/typ",
        ),
        (
            json!({"$defs": {"x": {"unevaluatedProperties": false}}}),
            "`unevaluatedProperties` at /$defs/x/unevaluatedProperties",
        ),
        (
            json!({"type": "object", "patternProperties": {"(?=a)": true}}),
            "/patternProperties: unsupported regular expression",
        ),
        (
            json!({"pattern": "(a)\\1"}),
            "/pattern: unsupported regular expression",
        ),
        (json!({"$dynamicRef": "#meta"}), "`$dynamicRef`"),
        (
            json!({"$ref": "https://example.com/other.json"}),
            "unsupported $ref at /$ref",
        ),
        (
            json!({"$ref": "#/$defs/missing"}),
            "/$ref points to nothing",
        ),
    ] {
        match Validator::compile(&schema) {
            Err(Error::Schema { message }) => {
                assert!(message.contains(needle), "{message} lacks {needle}")
            }
            other => panic!("{schema} compiled: {other:?}"),
        }
    }
    // Annotations are fine.
    Validator::compile(&json!({"title": "t", "description": "d", "$comment": "c", "examples": [1], "default": 0, "deprecated": false}))
        .unwrap();
}

#[test]
fn issues_for_a_broken_event() {
    let mut event = load(&examples_dir().join("1.1/patient_read_success.json"));
    event["action"]["type"] = json!("STEAL");
    event["actor"].as_object_mut().unwrap().remove("subject_id");
    event["actor"]["nickname"] = json!("x");
    event["timestamp"] = json!("2026-02-30T10:00:00Z");
    let issues = validate(&event, None).unwrap();
    let summary: Vec<(&str, &str, &str)> = issues
        .iter()
        .map(|i| {
            (
                i.instance_path.as_str(),
                i.keyword.as_str(),
                i.schema_path.as_str(),
            )
        })
        .collect();
    assert!(
        summary.contains(&("/timestamp", "format", "/properties/timestamp/format")),
        "{summary:?}"
    );
    assert!(
        summary.contains(&("/actor", "required", "/properties/actor/required")),
        "{summary:?}"
    );
    assert!(
        summary.contains(&(
            "/actor/nickname",
            "additionalProperties",
            "/properties/actor/additionalProperties"
        )),
        "{summary:?}"
    );
    assert!(
        summary
            .iter()
            .any(|(p, k, s)| *p == "/action/type" && *k == "enum" && s.ends_with("/enum")),
        "{summary:?}"
    );
    // Deterministic.
    assert_eq!(issues, validate(&event, None).unwrap());
    let required = issues.iter().find(|i| i.keyword == "required").unwrap();
    assert_eq!(required.message, "must have required property 'subject_id'");
}

#[test]
fn validate_str_and_version_selection() {
    assert!(matches!(validate_str("{", None), Err(Error::Json { .. })));
    assert!(matches!(
        validate(&json!({"schema_version": "9.9"}), None),
        Err(Error::UnsupportedSchemaVersion)
    ));
    let issues = validate_str("{}", Some(SchemaVersion::V1_1)).unwrap();
    assert!(issues
        .iter()
        .all(|i| i.keyword == "required" && i.instance_path.is_empty()));
    assert!(!issues.is_empty());
}

#[test]
fn deep_instance_reports_nesting_too_deep() {
    let v = Validator::compile(&json!({"$defs": {"n": {"type": "array", "items": {"$ref": "#/$defs/n"}}}, "$ref": "#/$defs/n"}))
        .unwrap();
    let mut deep = json!([]);
    for _ in 0..2000 {
        deep = Value::Array(vec![deep]);
    }
    assert!(!v.is_valid(&deep));
    let issues = v.validate(&deep);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].keyword, "depth");
    assert_eq!(issues[0].message, "nesting too deep");
    // A self-referencing schema that never descends terminates too.
    let looping = Validator::compile(&json!({"$ref": "#"})).unwrap();
    assert!(!looping.is_valid(&json!(1)));
    // Drop iteratively-deep value without blowing the stack.
    let mut cur = deep;
    while let Value::Array(mut a) = cur {
        cur = a.pop().unwrap_or(Value::Null);
    }
}

#[test]
fn instance_paths_escape_pointer_tokens() {
    let v = Validator::compile(&json!({"additionalProperties": {"type": "string"}})).unwrap();
    let issues = v.validate(&json!({"a/b~c": 1}));
    assert_eq!(issues[0].instance_path, "/a~1b~0c");
    assert_eq!(issues[0].schema_path, "/additionalProperties/type");
    let v = Validator::compile(&json!({"items": {"type": "integer"}})).unwrap();
    let issues = v.validate(&json!([1, 2.0, "x", 3.5]));
    let paths: Vec<_> = issues.iter().map(|i| i.instance_path.as_str()).collect();
    assert_eq!(paths, ["/2", "/3"]);
}

/// `validate_str` checks text on a light reading of it (no `serde_json::Value`); its issues
/// must equal `validate`'s on the parsed `Value`, including for text the light reader
/// gives up on (escapes, duplicate keys, number spellings, deep nesting).
#[test]
fn text_fast_path_agrees_with_value_path() {
    let mut texts = Vec::new();
    for ver in ["1.0", "1.1", "2.0", "2.1"] {
        let dir = examples_dir().join(ver);
        for p in json_files(&dir)
            .into_iter()
            .chain(json_files(&dir.join("negative")))
        {
            let text = std::fs::read_to_string(&p).unwrap();
            texts.push(text.clone());
            // Escaped spellings of the same event.
            texts.push(
                text.replace("\"READ\"", "\"\\u0052EAD\"")
                    .replace("\"human\"", "\"hum\\u0061n\""),
            );
            // Number spellings: 200 -> 2e2 / 200.0 (still integers), 200.5 (not).
            texts.push(text.replace(": 200", ": 2e2"));
            texts.push(text.replace(": 200", ": 200.0"));
            texts.push(text.replace(": 200", ": 200.5"));
            // A duplicate key: the last one wins in serde_json.
            texts.push(text.replacen('{', "{\"schema_version\": \"9.9\",", 1));
            texts.push(text.replace("\"roles\": [", "\"roles\": [\"r\\ud83d\\ude00\", "));
            texts.push(text.replace("\"subject_id\": \"", "\"subject_id\": \"\\t"));
            // A schema version this crate does not vendor: both paths refuse it the same way.
            texts.push(text.replacen("\"schema_version\": \"", "\"schema_version\": \"9.", 1));
        }
    }
    let mut checked = 0;
    let mut refused = 0;
    for text in &texts {
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        let by_value = bh_audit_logger::validate(&value, None);
        let by_text = bh_audit_logger::validate_str(text, None);
        match (by_value, by_text) {
            // The same issues, in the same order (invalid text is checked on the light reading too).
            (Ok(a), Ok(b)) => assert_eq!(a, b, "issues differ for:\n{text}"),
            // The same error, and the one expected: only the unvendored version is refused.
            (Err(a), Err(b)) => {
                assert_eq!(a, b, "errors differ for:\n{text}");
                assert_eq!(a, Error::UnsupportedSchemaVersion, "for:\n{text}");
                refused += 1;
            }
            (a, b) => panic!("results differ for:\n{text}\nvalue: {a:?}\ntext: {b:?}"),
        }
        checked += 1;
    }
    assert!(checked > 400, "{checked} texts checked");
    // One refused text per example file (62 upstream examples).
    assert_eq!(refused, 62, "{refused} texts refused");
}
