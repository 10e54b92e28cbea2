//! Writes compact copies of the vendored schemas (schema/*/audit_event.schema.json), from
//! which the test `precompiled_schemas_are_current` compiles `src/validator/precompiled.rs`:
//! the same JSON without whitespace and without the annotations that the compiler ignores
//! (`description` and `title` strings and `examples` arrays; `$comment`s stay, as the rules
//! validation errors name), which are two thirds of the text. The vendored files stay as they are and
//! `SchemaVersion::schema_text` still returns them byte for byte; the test
//! `compact_schemas_compile_identically` in src/validator/mod.rs checks that both texts
//! compile to the same validator.

use serde_json::Value;
use std::{env, fs, path::Path};

/// Keys whose values are schemas data, not schemas: nothing below them is stripped.
const DATA_KEYWORDS: &[&str] = &["const", "enum", "default", "examples"];

fn strip(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, v| {
                // `$comment`s stay: they state the rules validation errors name (`rule`).
                !(matches!(k.as_str(), "description" | "title") && v.is_string()
                    || k == "examples" && v.is_array())
            });
            for (k, v) in map.iter_mut() {
                if !DATA_KEYWORDS.contains(&k.as_str()) {
                    strip(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

fn main() {
    let out = env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    for version in ["1.0", "1.1", "2.0", "2.1"] {
        let src = format!("schema/{version}/audit_event.schema.json");
        println!("cargo:rerun-if-changed={src}");
        let text = fs::read_to_string(&src).unwrap_or_default();
        // An unreadable or invalid file is embedded as is: compiling it then fails with the
        // same error as the vendored text would.
        let compact = match serde_json::from_str::<Value>(&text) {
            Ok(mut v) => {
                strip(&mut v);
                v.to_string()
            }
            Err(_) => text,
        };
        let dst = Path::new(&out).join(format!("schema-{version}.json"));
        if fs::write(&dst, compact).is_err() {
            println!("cargo:warning=cannot write {}", dst.display());
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
