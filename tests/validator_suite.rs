#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Runs the official JSON-Schema-Test-Suite (draft 2020-12) against the validator.
//!
//! Every case of every file in [`SUPPORTED`] must pass, except the cases listed in
//! [`EXCEPTIONS`] (each with its reason). A listed exception that starts passing fails
//! the test, so the list stays honest. Every file of the suite must be listed either in
//! [`SUPPORTED`] or in [`SKIPPED`].

use std::path::{Path, PathBuf};

use bh_audit_logger::Validator;
use serde_json::Value;

/// Files whose every case is run.
const SUPPORTED: &[&str] = &[
    "additionalProperties.json",
    "allOf.json",
    "anyOf.json",
    "boolean_schema.json",
    "const.json",
    "contains.json",
    "content.json",
    "default.json",
    "defs.json",
    "dependentRequired.json",
    "dependentSchemas.json",
    "enum.json",
    "exclusiveMaximum.json",
    "exclusiveMinimum.json",
    "if-then-else.json",
    "infinite-loop-detection.json",
    "items.json",
    "maxContains.json",
    "maxItems.json",
    "maxLength.json",
    "maxProperties.json",
    "maximum.json",
    "minContains.json",
    "minItems.json",
    "minLength.json",
    "minProperties.json",
    "minimum.json",
    "multipleOf.json",
    "not.json",
    "oneOf.json",
    "pattern.json",
    "patternProperties.json",
    "prefixItems.json",
    "properties.json",
    "propertyNames.json",
    "ref.json",
    "required.json",
    "type.json",
    "uniqueItems.json",
    "optional/format/date-time.json",
    "optional/format/date.json",
    "optional/format/ipv4.json",
    "optional/format/ipv6.json",
    "optional/format/time.json",
    "optional/format/uuid.json",
];

/// Files not run, with the reason.
const SKIPPED: &[(&str, &str)] = &[
    ("anchor.json", "$anchor / $id-based references are not supported"),
    ("dynamicRef.json", "$dynamicRef / $dynamicAnchor are not supported"),
    (
        "format.json",
        "tests the annotation-only default; this validator asserts uuid, date-time, date, time, ipv4, ipv6",
    ),
    ("refRemote.json", "remote references are not supported"),
    ("unevaluatedItems.json", "unevaluatedItems is not supported"),
    ("unevaluatedProperties.json", "unevaluatedProperties is not supported"),
    ("vocabulary.json", "custom metaschemas / $vocabulary are not supported"),
];

/// Individual cases of supported files that are expected not to pass:
/// (file, group description, case description or "*" for the whole group, reason).
/// All of these are groups whose schema uses a feature this validator refuses to compile.
const EXCEPTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "defs.json",
        "validate definition against metaschema",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "not.json",
        "collect annotations inside a 'not', even if collection is disabled",
        "*",
        "needs unevaluatedProperties",
    ),
    (
        "ref.json",
        "remote ref, containing refs itself",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "ref.json",
        "Recursive references between schemas",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "ref.json",
        "ref creates new scope when adjacent to keywords",
        "*",
        "needs unevaluatedProperties",
    ),
    (
        "ref.json",
        "refs with relative uris and defs",
        "*",
        "needs $id-based base URI changes",
    ),
    (
        "ref.json",
        "relative refs with absolute uris and defs",
        "*",
        "needs $id-based base URI changes",
    ),
    (
        "ref.json",
        "$id must be resolved against nearest parent, not just immediate parent",
        "*",
        "needs $id-based base URI changes",
    ),
    (
        "ref.json",
        "order of evaluation: $id and $ref",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "ref.json",
        "order of evaluation: $id and $anchor and $ref",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "ref.json",
        "order of evaluation: $id and $ref on nested schema",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "ref.json",
        "simple URN base URI with $ref via the URN",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "ref.json",
        "URN base URI with URN and anchor ref",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "ref.json",
        "URN ref with nested pointer ref",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "ref.json",
        "ref to if",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "ref.json",
        "ref to then",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "ref.json",
        "ref to else",
        "*",
        "needs a remote, $id-relative or URN $ref",
    ),
    (
        "ref.json",
        "ref with absolute-path-reference",
        "*",
        "needs $id-based base URI changes",
    ),
];

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/vectors/json-schema-test-suite/draft2020-12")
}

fn exception(file: &str, group: &str, case: &str) -> Option<&'static str> {
    EXCEPTIONS
        .iter()
        .find(|(f, g, c, _)| *f == file && *g == group && (*c == "*" || *c == case))
        .map(|(_, _, _, reason)| *reason)
}

#[test]
fn every_suite_file_is_listed() {
    let dir = suite_dir();
    let mut found = Vec::new();
    for sub in ["", "optional/format"] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("suite directory") {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".json") {
                found.push(if sub.is_empty() {
                    name
                } else {
                    format!("{sub}/{name}")
                });
            }
        }
    }
    found.sort();
    let unlisted: Vec<_> = found
        .iter()
        .filter(|f| !SUPPORTED.contains(&f.as_str()) && !SKIPPED.iter().any(|(s, _)| s == f))
        .collect();
    assert!(
        unlisted.is_empty(),
        "suite files neither supported nor skipped: {unlisted:?}"
    );
    for f in SUPPORTED {
        assert!(
            found.iter().any(|x| x == f),
            "listed file missing from the suite: {f}"
        );
    }
}

#[test]
fn json_schema_test_suite() {
    let dir = suite_dir();
    let (mut passed, mut expected_fail, mut groups) = (0usize, 0usize, 0usize);
    let mut needs_regex = 0usize;
    let mut failures = Vec::new();
    for file in SUPPORTED {
        let text = std::fs::read_to_string(dir.join(file)).expect("suite file");
        let suite: Value = serde_json::from_str(&text).unwrap();
        for group in suite.as_array().unwrap() {
            groups += 1;
            let gdesc = group["description"].as_str().unwrap();
            let tests = group["tests"].as_array().unwrap();
            let validator = match Validator::compile(&group["schema"]) {
                Ok(v) => v,
                Err(e) if !cfg!(feature = "regex") && e.to_string().contains("feature `regex`") => {
                    // This build has no regex engine; `cargo test --features regex` runs these.
                    needs_regex += tests.len();
                    continue;
                }
                Err(e) => {
                    for t in tests {
                        let cdesc = t["description"].as_str().unwrap();
                        if exception(file, gdesc, cdesc).is_some() {
                            expected_fail += 1;
                        } else {
                            failures
                                .push(format!("{file} / {gdesc} / {cdesc}: compile error: {e}"));
                        }
                    }
                    continue;
                }
            };
            for t in tests {
                let cdesc = t["description"].as_str().unwrap();
                let want = t["valid"].as_bool().unwrap();
                let issues = validator.validate(&t["data"]);
                let fast = validator.is_valid(&t["data"]);
                let ok = issues.is_empty() == want && fast == want;
                match (ok, exception(file, gdesc, cdesc)) {
                    (true, None) => passed += 1,
                    (false, Some(_)) => expected_fail += 1,
                    (true, Some(reason)) => failures.push(format!(
                        "{file} / {gdesc} / {cdesc}: listed as exception ({reason}) but passes; remove it"
                    )),
                    (false, None) => failures.push(format!(
                        "{file} / {gdesc} / {cdesc}: expected valid={want}, got issues={issues:?} is_valid={fast}"
                    )),
                }
            }
        }
    }
    println!(
        "JSON-Schema-Test-Suite draft2020-12: {} files run ({groups} groups), {} files skipped; \
         {passed} cases passed, {expected_fail} listed exceptions, {} failures",
        SUPPORTED.len(),
        SKIPPED.len(),
        failures.len()
    );
    for (f, why) in SKIPPED {
        println!("  skipped {f}: {why}");
    }
    if cfg!(feature = "regex") {
        assert_eq!(needs_regex, 0);
    } else {
        // The pattern files (and the groups of other files using patterns) compile to an error
        // naming the feature; with it, every one of them runs.
        println!("  {needs_regex} cases need the `regex` feature (cargo test --features regex)");
        assert!(needs_regex >= 20, "{needs_regex}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
