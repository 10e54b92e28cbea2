//! Schema compiler: turns a draft 2020-12 schema into an arena of keyword nodes.
//!
//! Every subschema becomes one [`Node`] in a `Vec`, addressed by index. Local `$ref`s
//! (`#`, `#/json/pointer`, or the root `$id` followed by such a fragment) are resolved
//! here to node indices; a schema location is compiled at most once, so recursive
//! schemas stay finite. Anything outside the supported keyword set is a compile error.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

use super::format::Format;
use crate::Error;

/// Keywords that carry no assertion and are skipped (annotations and metadata).
pub(crate) const ANNOTATION_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$anchor",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

/// Keywords read together with a sibling keyword (their node is built there).
const COMPANION_KEYWORDS: &[&str] = &["minContains", "maxContains"];

/// Deepest schema nesting the compiler follows.
const MAX_SCHEMA_DEPTH: usize = 256;

/// Bit set of JSON types for the `type` keyword.
pub(crate) mod types {
    pub const NULL: u8 = 1;
    pub const BOOLEAN: u8 = 2;
    pub const OBJECT: u8 = 4;
    pub const ARRAY: u8 = 8;
    pub const NUMBER: u8 = 16;
    pub const STRING: u8 = 32;
    pub const INTEGER: u8 = 64;
}

/// One compiled subschema.
#[derive(Debug)]
pub(crate) enum Node {
    /// `true` or `false`.
    Bool {
        /// The boolean.
        value: bool,
        /// Schema path of this subschema.
        path: Box<str>,
    },
    /// An object schema: its assertion keywords in schema order.
    Keywords {
        /// The keywords.
        keywords: Vec<Keyword>,
        /// Schema path of this subschema.
        path: Box<str>,
    },
}

impl Node {
    pub(crate) fn path(&self) -> &str {
        match self {
            Node::Bool { path, .. } | Node::Keywords { path, .. } => path,
        }
    }
}

/// One assertion keyword with everything needed to report it.
#[derive(Debug)]
pub(crate) struct Keyword {
    /// The keyword's name (`required`, `type`, ...).
    pub name: &'static str,
    /// JSON Pointer to the keyword in the schema.
    pub path: Box<str>,
    /// The fixed message for a failure (derived from the schema only).
    pub message: Box<str>,
    /// What to check.
    pub kind: Kind,
}

/// Property names, each with the message reported when it is missing.
pub(crate) type NamesWithMessages = Vec<(Box<str>, Box<str>)>;

/// The check a keyword performs; subschemas are node indices.
#[derive(Debug)]
pub(crate) enum Kind {
    Type(u8),
    Const(Value),
    Enum(Vec<Value>),
    /// Sorted by name.
    Properties(Vec<(Box<str>, usize)>),
    AdditionalProperties {
        sub: usize,
        /// Names in sibling `properties`, sorted.
        known: Vec<Box<str>>,
        /// `additionalProperties: false`.
        forbid: bool,
        /// Sibling `patternProperties` patterns: a matching name is not additional.
        patterns: Vec<super::regex::Regex>,
    },
    /// `pattern`: the string must match (ECMA-262, unanchored).
    Pattern(super::regex::Regex),
    /// `patternProperties`: each property whose name matches is validated by the subschema.
    PatternProperties(Vec<(super::regex::Regex, usize)>),
    Required(NamesWithMessages),
    MinLength(u64),
    MaxLength(u64),
    Minimum(Number),
    Maximum(Number),
    ExclusiveMinimum(Number),
    ExclusiveMaximum(Number),
    MultipleOf(Number),
    MinProperties(u64),
    MaxProperties(u64),
    PrefixItems(Vec<usize>),
    Items {
        /// Index of the first item checked (the sibling `prefixItems` length).
        start: usize,
        sub: usize,
    },
    MinItems(u64),
    MaxItems(u64),
    UniqueItems,
    Contains {
        sub: usize,
        min: u64,
        max: Option<u64>,
    },
    AllOf(Vec<usize>),
    AnyOf(Vec<usize>),
    OneOf(Vec<usize>),
    Not(usize),
    If {
        cond: usize,
        then: Option<usize>,
        otherwise: Option<usize>,
    },
    /// Each entry: trigger property and the properties (with messages) it requires.
    DependentRequired(Vec<(Box<str>, NamesWithMessages)>),
    DependentSchemas(Vec<(Box<str>, usize)>),
    PropertyNames(usize),
    Ref(usize),
    Format(Format),
}

/// Escape one JSON Pointer reference token.
pub(crate) fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn err(message: String) -> Error {
    Error::Schema { message }
}

fn path_or_root(path: &str) -> &str {
    if path.is_empty() {
        "(root)"
    } else {
        path
    }
}

/// Decode `%XX` escapes in a URI fragment.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Short display of a schema value for messages (schema data only).
fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let mut t: String = s.chars().take(77).collect();
        t.push_str("...");
        t
    } else {
        s
    }
}

pub(crate) struct Compiler<'s> {
    root: &'s Value,
    root_id: Option<&'s str>,
    pub nodes: Vec<Node>,
    by_path: HashMap<String, usize>,
    /// `(schema path, $comment)` of every subschema stating one (the rules errors name).
    pub comments: Vec<(Box<str>, Box<str>)>,
}

impl<'s> Compiler<'s> {
    pub fn new(root: &'s Value) -> Self {
        let root_id = root
            .as_object()
            .and_then(|m| m.get("$id"))
            .and_then(Value::as_str)
            .map(|id| id.trim_end_matches('#'));
        Compiler {
            root,
            root_id,
            nodes: Vec::new(),
            by_path: HashMap::new(),
            comments: Vec::new(),
        }
    }

    /// Compile the subschema `schema` found at `path`, once.
    pub fn compile(&mut self, schema: &'s Value, path: &str, depth: usize) -> Result<usize, Error> {
        if let Some(&id) = self.by_path.get(path) {
            return Ok(id);
        }
        if depth > MAX_SCHEMA_DEPTH {
            return Err(err(format!(
                "schema nesting too deep at {}",
                path_or_root(path)
            )));
        }
        let id = self.nodes.len();
        self.nodes.push(Node::Bool {
            value: true,
            path: path.into(),
        });
        self.by_path.insert(path.to_string(), id);
        let node = match schema {
            Value::Bool(b) => Node::Bool {
                value: *b,
                path: path.into(),
            },
            Value::Object(map) => {
                if let Some(Value::String(c)) = map.get("$comment") {
                    self.comments.push((path.into(), c.as_str().into()));
                }
                Node::Keywords {
                    keywords: self.keywords(map, path, depth)?,
                    path: path.into(),
                }
            }
            _ => {
                return Err(err(format!(
                    "schema at {} must be an object or a boolean",
                    path_or_root(path)
                )))
            }
        };
        if let Some(slot) = self.nodes.get_mut(id) {
            *slot = node;
        }
        Ok(id)
    }

    fn sub(
        &mut self,
        map: &'s Map<String, Value>,
        key: &str,
        path: &str,
        depth: usize,
    ) -> Result<Option<usize>, Error> {
        match map.get(key) {
            Some(v) => Ok(Some(self.compile(
                v,
                &format!("{path}/{}", escape_token(key)),
                depth + 1,
            )?)),
            None => Ok(None),
        }
    }

    fn sub_array(&mut self, v: &'s Value, kpath: &str, depth: usize) -> Result<Vec<usize>, Error> {
        let arr = match v.as_array() {
            Some(a) if !a.is_empty() => a,
            _ => return Err(err(format!("{kpath} must be a non-empty array of schemas"))),
        };
        arr.iter()
            .enumerate()
            .map(|(i, s)| self.compile(s, &format!("{kpath}/{i}"), depth + 1))
            .collect()
    }

    fn sub_map(
        &mut self,
        v: &'s Value,
        kpath: &str,
        depth: usize,
    ) -> Result<Vec<(Box<str>, usize)>, Error> {
        let m = v
            .as_object()
            .ok_or_else(|| err(format!("{kpath} must be an object of schemas")))?;
        m.iter()
            .map(|(k, s)| {
                let id = self.compile(s, &format!("{kpath}/{}", escape_token(k)), depth + 1)?;
                Ok((k.as_str().into(), id))
            })
            .collect()
    }

    /// Resolve a local `$ref` to the node of its target.
    fn resolve_ref(&mut self, reference: &str, kpath: &str, depth: usize) -> Result<usize, Error> {
        let unsupported = || {
            err(format!(
                "unsupported $ref at {kpath}: only local JSON Pointer references (\"#...\") are supported"
            ))
        };
        let fragment = match reference.split_once('#') {
            Some(("", frag)) => frag,
            Some((base, frag)) if Some(base) == self.root_id => frag,
            _ => return Err(unsupported()),
        };
        let fragment = percent_decode(fragment).ok_or_else(unsupported)?;
        if !(fragment.is_empty() || fragment.starts_with('/')) {
            return Err(unsupported());
        }
        let target = self
            .root
            .pointer(&fragment)
            .ok_or_else(|| err(format!("$ref at {kpath} points to nothing")))?;
        // Canonical path: the pointer with every token re-escaped.
        let mut canonical = String::new();
        for token in fragment.split('/').skip(1) {
            let token = token.replace("~1", "/").replace("~0", "~");
            canonical.push('/');
            canonical.push_str(&escape_token(&token));
        }
        self.compile(target, &canonical, depth + 1)
    }

    fn keywords(
        &mut self,
        map: &'s Map<String, Value>,
        path: &str,
        depth: usize,
    ) -> Result<Vec<Keyword>, Error> {
        let mut out = Vec::new();
        if map.contains_key("$id") && !path.is_empty() {
            return Err(err(format!(
                "unsupported $id in a subschema at {path} (only the root may have an $id)"
            )));
        }
        for (key, value) in map {
            let kpath = format!("{path}/{}", escape_token(key));
            let bad = |what: &str| err(format!("{kpath} must be {what}"));
            let non_neg = || -> Result<u64, Error> {
                match value {
                    Value::Number(n) => n
                        .as_u64()
                        .or_else(|| {
                            n.as_f64()
                                .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 1e19)
                                .map(|f| f as u64)
                        })
                        .ok_or_else(|| bad("a non-negative integer")),
                    _ => Err(bad("a non-negative integer")),
                }
            };
            let number = || -> Result<Number, Error> {
                value.as_number().cloned().ok_or_else(|| bad("a number"))
            };
            let (name, message, kind): (&'static str, String, Kind) = match key.as_str() {
                k if ANNOTATION_KEYWORDS.contains(&k) => continue,
                "$defs" => {
                    // Compile every definition so unsupported keywords are caught.
                    self.sub_map(value, &kpath, depth)?;
                    continue;
                }
                "then" | "else" => {
                    // Used by `if`; compiled here too so their keywords are always checked.
                    self.compile(value, &kpath, depth + 1)?;
                    continue;
                }
                k if COMPANION_KEYWORDS.contains(&k) => continue,
                "type" => {
                    let names: Vec<&str> = match value {
                        Value::String(s) => vec![s.as_str()],
                        Value::Array(a) => a
                            .iter()
                            .map(|t| {
                                t.as_str()
                                    .ok_or_else(|| bad("a type name or an array of type names"))
                            })
                            .collect::<Result<_, _>>()?,
                        _ => return Err(bad("a type name or an array of type names")),
                    };
                    let mut set = 0u8;
                    for n in &names {
                        set |= match *n {
                            "null" => types::NULL,
                            "boolean" => types::BOOLEAN,
                            "object" => types::OBJECT,
                            "array" => types::ARRAY,
                            "number" => types::NUMBER,
                            "string" => types::STRING,
                            "integer" => types::INTEGER,
                            _ => return Err(err(format!("{kpath}: unknown type name"))),
                        };
                    }
                    let message = match names.as_slice() {
                        [one] => {
                            let article = if matches!(*one, "object" | "array" | "integer") {
                                "an"
                            } else {
                                "a"
                            };
                            if *one == "null" {
                                "must be null".to_string()
                            } else {
                                format!("must be {article} {one}")
                            }
                        }
                        many => format!("must be of type {}", many.join(" or ")),
                    };
                    ("type", message, Kind::Type(set))
                }
                "const" => (
                    "const",
                    format!("must be equal to constant {}", show(value)),
                    Kind::Const(value.clone()),
                ),
                "enum" => {
                    let vals = value.as_array().ok_or_else(|| bad("an array"))?;
                    let list = vals.iter().map(show).collect::<Vec<_>>().join(", ");
                    (
                        "enum",
                        format!("must be one of: {list}"),
                        Kind::Enum(vals.clone()),
                    )
                }
                "properties" => (
                    "properties",
                    String::new(),
                    Kind::Properties({
                        let mut props = self.sub_map(value, &kpath, depth)?;
                        crate::json::sort::sort_vec_by(&mut props, |a, b| a.0.cmp(&b.0));
                        props
                    }),
                ),
                "pattern" => {
                    let text = value.as_str().ok_or_else(|| bad("a string"))?;
                    let re = super::regex::Regex::new(text).map_err(|e| {
                        err(format!("{kpath}: unsupported regular expression: {e}"))
                    })?;
                    (
                        "pattern",
                        format!("must match pattern {}", show(value)),
                        Kind::Pattern(re),
                    )
                }
                "patternProperties" => {
                    let obj = value.as_object().ok_or_else(|| bad("an object"))?;
                    let mut pats = Vec::with_capacity(obj.len());
                    for (pattern, sub) in obj {
                        let re = super::regex::Regex::new(pattern).map_err(|e| {
                            err(format!("{kpath}: unsupported regular expression: {e}"))
                        })?;
                        let sub_path = format!("{kpath}/{}", escape_token(pattern));
                        pats.push((re, self.compile(sub, &sub_path, depth + 1)?));
                    }
                    (
                        "patternProperties",
                        String::new(),
                        Kind::PatternProperties(pats),
                    )
                }
                "additionalProperties" => {
                    let sub = self.compile(value, &kpath, depth + 1)?;
                    let mut known: Vec<Box<str>> =
                        match map.get("properties").and_then(Value::as_object) {
                            Some(p) => p.keys().map(|k| k.as_str().into()).collect(),
                            None => Vec::new(),
                        };
                    crate::json::sort::sort_vec_by(&mut known, |a, b| a.cmp(b));
                    let forbid = value == &Value::Bool(false);
                    let mut patterns = Vec::new();
                    if let Some(pp) = map.get("patternProperties").and_then(Value::as_object) {
                        for pattern in pp.keys() {
                            patterns.push(super::regex::Regex::new(pattern).map_err(|e| {
                                err(format!("{kpath}: unsupported regular expression: {e}"))
                            })?);
                        }
                    }
                    (
                        "additionalProperties",
                        "is not allowed here".to_string(),
                        Kind::AdditionalProperties {
                            sub,
                            known,
                            forbid,
                            patterns,
                        },
                    )
                }
                "required" => {
                    let names = value.as_array().ok_or_else(|| bad("an array of strings"))?;
                    let names = names
                        .iter()
                        .map(|n| {
                            let n = n.as_str().ok_or_else(|| bad("an array of strings"))?;
                            Ok((
                                n.into(),
                                format!("must have required property '{n}'").into(),
                            ))
                        })
                        .collect::<Result<Vec<_>, Error>>()?;
                    ("required", String::new(), Kind::Required(names))
                }
                "minLength" => {
                    let n = non_neg()?;
                    (
                        "minLength",
                        format!("must not have fewer than {n} characters"),
                        Kind::MinLength(n),
                    )
                }
                "maxLength" => {
                    let n = non_neg()?;
                    (
                        "maxLength",
                        format!("must not have more than {n} characters"),
                        Kind::MaxLength(n),
                    )
                }
                "minimum" => {
                    let n = number()?;
                    ("minimum", format!("must be >= {n}"), Kind::Minimum(n))
                }
                "maximum" => {
                    let n = number()?;
                    ("maximum", format!("must be <= {n}"), Kind::Maximum(n))
                }
                "exclusiveMinimum" => {
                    let n = number()?;
                    (
                        "exclusiveMinimum",
                        format!("must be > {n}"),
                        Kind::ExclusiveMinimum(n),
                    )
                }
                "exclusiveMaximum" => {
                    let n = number()?;
                    (
                        "exclusiveMaximum",
                        format!("must be < {n}"),
                        Kind::ExclusiveMaximum(n),
                    )
                }
                "multipleOf" => {
                    let n = number()?;
                    if !matches!(n.as_f64(), Some(f) if f > 0.0) {
                        return Err(bad("a number greater than 0"));
                    }
                    (
                        "multipleOf",
                        format!("must be a multiple of {n}"),
                        Kind::MultipleOf(n),
                    )
                }
                "minProperties" => {
                    let n = non_neg()?;
                    (
                        "minProperties",
                        format!("must not have fewer than {n} properties"),
                        Kind::MinProperties(n),
                    )
                }
                "maxProperties" => {
                    let n = non_neg()?;
                    (
                        "maxProperties",
                        format!("must not have more than {n} properties"),
                        Kind::MaxProperties(n),
                    )
                }
                "prefixItems" => (
                    "prefixItems",
                    String::new(),
                    Kind::PrefixItems(self.sub_array(value, &kpath, depth)?),
                ),
                "items" => {
                    let start = map
                        .get("prefixItems")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                    let sub = self.compile(value, &kpath, depth + 1)?;
                    ("items", String::new(), Kind::Items { start, sub })
                }
                "minItems" => {
                    let n = non_neg()?;
                    (
                        "minItems",
                        format!("must not have fewer than {n} items"),
                        Kind::MinItems(n),
                    )
                }
                "maxItems" => {
                    let n = non_neg()?;
                    (
                        "maxItems",
                        format!("must not have more than {n} items"),
                        Kind::MaxItems(n),
                    )
                }
                "uniqueItems" => match value {
                    Value::Bool(true) => (
                        "uniqueItems",
                        "must not have duplicate items".to_string(),
                        Kind::UniqueItems,
                    ),
                    Value::Bool(false) => continue,
                    _ => return Err(bad("a boolean")),
                },
                "contains" => {
                    let sub = self.compile(value, &kpath, depth + 1)?;
                    let count = |k: &str| -> Result<Option<u64>, Error> {
                        match map.get(k) {
                            None => Ok(None),
                            Some(Value::Number(n)) => n
                                .as_u64()
                                .or_else(|| {
                                    n.as_f64()
                                        .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 1e19)
                                        .map(|f| f as u64)
                                })
                                .map(Some)
                                .ok_or_else(|| {
                                    err(format!("{path}/{k} must be a non-negative integer"))
                                }),
                            Some(_) => {
                                Err(err(format!("{path}/{k} must be a non-negative integer")))
                            }
                        }
                    };
                    let min = count("minContains")?.unwrap_or(1);
                    let max = count("maxContains")?;
                    let message = match max {
                        Some(max) => format!("must contain between {min} and {max} matching items"),
                        None => format!("must contain at least {min} matching item(s)"),
                    };
                    ("contains", message, Kind::Contains { sub, min, max })
                }
                "allOf" => (
                    "allOf",
                    String::new(),
                    Kind::AllOf(self.sub_array(value, &kpath, depth)?),
                ),
                "anyOf" => (
                    "anyOf",
                    "must match at least one schema in anyOf".to_string(),
                    Kind::AnyOf(self.sub_array(value, &kpath, depth)?),
                ),
                "oneOf" => (
                    "oneOf",
                    "must match exactly one schema in oneOf".to_string(),
                    Kind::OneOf(self.sub_array(value, &kpath, depth)?),
                ),
                "not" => (
                    "not",
                    "must not be valid against the schema in not".to_string(),
                    Kind::Not(self.compile(value, &kpath, depth + 1)?),
                ),
                "if" => {
                    let cond = self.compile(value, &kpath, depth + 1)?;
                    let then = self.sub(map, "then", path, depth)?;
                    let otherwise = self.sub(map, "else", path, depth)?;
                    (
                        "if",
                        String::new(),
                        Kind::If {
                            cond,
                            then,
                            otherwise,
                        },
                    )
                }
                "dependentRequired" => {
                    let m = value
                        .as_object()
                        .ok_or_else(|| bad("an object of string arrays"))?;
                    let mut deps = Vec::new();
                    for (trigger, names) in m {
                        let names = names
                            .as_array()
                            .ok_or_else(|| bad("an object of string arrays"))?;
                        let names = names
                            .iter()
                            .map(|n| {
                                let n = n.as_str().ok_or_else(|| bad("an object of string arrays"))?;
                                Ok((n.into(), format!("must have property '{n}' when property '{trigger}' is present").into()))
                            })
                            .collect::<Result<Vec<_>, Error>>()?;
                        deps.push((trigger.as_str().into(), names));
                    }
                    (
                        "dependentRequired",
                        String::new(),
                        Kind::DependentRequired(deps),
                    )
                }
                "dependentSchemas" => (
                    "dependentSchemas",
                    String::new(),
                    Kind::DependentSchemas(self.sub_map(value, &kpath, depth)?),
                ),
                "propertyNames" => (
                    "propertyNames",
                    "property name is not valid (propertyNames)".to_string(),
                    Kind::PropertyNames(self.compile(value, &kpath, depth + 1)?),
                ),
                "$ref" => {
                    let r = value.as_str().ok_or_else(|| bad("a string"))?;
                    (
                        "$ref",
                        String::new(),
                        Kind::Ref(self.resolve_ref(r, &kpath, depth)?),
                    )
                }
                "format" => {
                    let f = value.as_str().ok_or_else(|| bad("a string"))?;
                    match Format::from_name(f) {
                        Some(f) => (
                            "format",
                            format!("must be a valid {}", f.name()),
                            Kind::Format(f),
                        ),
                        // Unknown formats are annotations.
                        None => continue,
                    }
                }
                _ => return Err(err(format!("unsupported keyword `{key}` at {kpath}"))),
            };
            out.push(Keyword {
                name,
                path: kpath.into(),
                message: message.into(),
                kind,
            });
        }
        Ok(out)
    }
}
