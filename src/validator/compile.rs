//! Schema compiler: turns a draft 2020-12 schema into an arena of keyword nodes.
//!
//! Every subschema becomes one [`Node`] in a `Vec`, addressed by index. Local `$ref`s
//! (`#`, `#/json/pointer`, or the root `$id` followed by such a fragment) are resolved
//! here to node indices; a schema location is compiled at most once, so recursive
//! schemas stay finite. Anything outside the supported keyword set is a compile error.

use std::borrow::Cow;
#[cfg(feature = "compile")]
use std::collections::HashMap;

use serde_json::Number;
#[cfg(feature = "compile")]
use serde_json::{Map, Value};

use super::format::Format;
#[cfg(feature = "compile")]
use crate::Error;

/// A string of a compiled schema: borrowed from the precompiled static data
/// (`precompiled.rs`), owned when compiled at run time.
pub(crate) type S = Cow<'static, str>;
/// A list of a compiled schema (borrowed or owned, as [`S`]).
pub(crate) type L<T> = Cow<'static, [T]>;

/// A number in a schema (`minimum`, `multipleOf`, ...), as serde_json holds it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    /// A non-negative integer.
    U(u64),
    /// A negative integer.
    I(i64),
    /// Any other number.
    F(f64),
}

impl Num {
    /// The number serde_json read.
    pub fn of(n: &Number) -> Num {
        match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Num::U(u),
            (None, Some(i), _) => Num::I(i),
            (None, None, f) => Num::F(f.unwrap_or(f64::NAN)),
        }
    }
    /// As an integer, if it is one of serde_json's integers.
    pub fn as_i128(self) -> Option<i128> {
        match self {
            Num::U(u) => Some(i128::from(u)),
            Num::I(i) => Some(i128::from(i)),
            Num::F(_) => None,
        }
    }
    /// As `f64` (serde_json's `as_f64`).
    pub fn as_f64(self) -> f64 {
        match self {
            Num::U(u) => u as f64,
            Num::I(i) => i as f64,
            Num::F(f) => f,
        }
    }
}

/// A `const` / `enum` value: a string (every one in the vendored schemas), or any JSON
/// value (schemas compiled at run time only).
#[derive(Clone, Debug)]
pub(crate) enum Lit {
    /// A string.
    Str(S),
    /// Any other value.
    #[cfg(feature = "compile")]
    Json(Value),
}

impl Lit {
    /// The string, if it is one.
    #[cfg(feature = "compile")]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Lit::Str(s) => Some(s),
            #[cfg(feature = "compile")]
            Lit::Json(_) => None,
        }
    }
    #[cfg(feature = "compile")]
    fn of(v: &Value) -> Lit {
        match v {
            Value::String(s) => Lit::Str(Cow::Owned(s.clone())),
            v => Lit::Json(v.clone()),
        }
    }
}

/// An owned [`S`].
#[cfg(feature = "compile")]
fn s(text: &str) -> S {
    Cow::Owned(text.to_owned())
}

/// Keywords that carry no assertion and are skipped (annotations and metadata).
#[cfg(feature = "compile")]
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
#[cfg(feature = "compile")]
const COMPANION_KEYWORDS: &[&str] = &["minContains", "maxContains"];

/// Deepest schema nesting the compiler follows.
#[cfg(feature = "compile")]
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
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// `true` or `false`.
    Bool {
        /// The boolean.
        value: bool,
        /// Schema path of this subschema.
        path: S,
    },
    /// An object schema: its assertion keywords in schema order.
    Keywords {
        /// The keywords.
        keywords: L<Keyword>,
        /// Schema path of this subschema.
        path: S,
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
#[derive(Clone, Debug)]
pub(crate) struct Keyword {
    /// The keyword's name (`required`, `type`, ...).
    pub name: &'static str,
    /// JSON Pointer to the keyword in the schema.
    pub path: S,
    /// The fixed message for a failure (derived from the schema only).
    pub message: S,
    /// What to check.
    pub kind: Kind,
}

/// Property names, each with the message reported when it is missing.
pub(crate) type NamesWithMessages = L<(S, S)>;

/// The check a keyword performs; subschemas are node indices. (Without the runtime
/// compiler, only the vendored schemas' keywords are ever constructed.)
#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "compile"), allow(dead_code))]
pub(crate) enum Kind {
    Type(u8),
    Const(Lit),
    Enum(L<Lit>),
    /// Sorted by name.
    Properties(L<(S, usize)>),
    AdditionalProperties {
        sub: usize,
        /// Names in sibling `properties`, sorted.
        known: L<S>,
        /// `additionalProperties: false`.
        forbid: bool,
        /// Sibling `patternProperties` patterns: a matching name is not additional.
        patterns: L<super::regex::Regex>,
    },
    /// `pattern`: the string must match (ECMA-262, unanchored).
    Pattern(super::regex::Regex),
    /// `patternProperties`: each property whose name matches is validated by the subschema.
    PatternProperties(L<(super::regex::Regex, usize)>),
    Required(NamesWithMessages),
    MinLength(u64),
    MaxLength(u64),
    Minimum(Num),
    Maximum(Num),
    ExclusiveMinimum(Num),
    ExclusiveMaximum(Num),
    MultipleOf(Num),
    MinProperties(u64),
    MaxProperties(u64),
    PrefixItems(L<usize>),
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
    AllOf(L<usize>),
    AnyOf(L<usize>),
    OneOf(L<usize>),
    Not(usize),
    If {
        cond: usize,
        then: Option<usize>,
        otherwise: Option<usize>,
    },
    /// Each entry: trigger property and the properties (with messages) it requires.
    DependentRequired(L<(S, NamesWithMessages)>),
    DependentSchemas(L<(S, usize)>),
    PropertyNames(usize),
    Ref(usize),
    Format(Format),
}

/// Escape one JSON Pointer reference token.
pub(crate) fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(feature = "compile")]
fn err(message: String) -> Error {
    Error::Schema { message }
}

#[cfg(feature = "compile")]
fn path_or_root(path: &str) -> &str {
    if path.is_empty() {
        "(root)"
    } else {
        path
    }
}

#[cfg(feature = "compile")]
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

#[cfg(feature = "compile")]
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

#[cfg(feature = "compile")]
pub(crate) struct Compiler<'s> {
    root: &'s Value,
    root_id: Option<&'s str>,
    pub nodes: Vec<Node>,
    by_path: HashMap<String, usize>,
    /// `(schema path, $comment)` of every subschema stating one (the rules errors name).
    pub comments: Vec<(S, S)>,
}

#[cfg(feature = "compile")]
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
            path: s(path),
        });
        self.by_path.insert(path.to_string(), id);
        let node = match schema {
            Value::Bool(b) => Node::Bool {
                value: *b,
                path: s(path),
            },
            Value::Object(map) => {
                if let Some(Value::String(c)) = map.get("$comment") {
                    self.comments.push((s(path), s(c)));
                }
                Node::Keywords {
                    keywords: self.keywords(map, path, depth)?.into(),
                    path: s(path),
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
    ) -> Result<Vec<(S, usize)>, Error> {
        let m = v
            .as_object()
            .ok_or_else(|| err(format!("{kpath} must be an object of schemas")))?;
        m.iter()
            .map(|(k, sub)| {
                let id = self.compile(sub, &format!("{kpath}/{}", escape_token(k)), depth + 1)?;
                Ok((s(k), id))
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
                    Kind::Const(Lit::of(value)),
                ),
                "enum" => {
                    let vals = value.as_array().ok_or_else(|| bad("an array"))?;
                    let list = vals.iter().map(show).collect::<Vec<_>>().join(", ");
                    (
                        "enum",
                        format!("must be one of: {list}"),
                        Kind::Enum(vals.iter().map(Lit::of).collect::<Vec<_>>().into()),
                    )
                }
                "properties" => (
                    "properties",
                    String::new(),
                    Kind::Properties({
                        let mut props = self.sub_map(value, &kpath, depth)?;
                        crate::json::sort::sort_vec_by(&mut props, |a, b| a.0.cmp(&b.0));
                        props.into()
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
                        Kind::PatternProperties(pats.into()),
                    )
                }
                "additionalProperties" => {
                    let sub = self.compile(value, &kpath, depth + 1)?;
                    let mut known: Vec<S> = match map.get("properties").and_then(Value::as_object) {
                        Some(p) => p.keys().map(|k| s(k)).collect(),
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
                            known: known.into(),
                            forbid,
                            patterns: patterns.into(),
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
                                s(n),
                                Cow::Owned(format!("must have required property '{n}'")),
                            ))
                        })
                        .collect::<Result<Vec<_>, Error>>()?;
                    ("required", String::new(), Kind::Required(names.into()))
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
                    (
                        "minimum",
                        format!("must be >= {n}"),
                        Kind::Minimum(Num::of(&n)),
                    )
                }
                "maximum" => {
                    let n = number()?;
                    (
                        "maximum",
                        format!("must be <= {n}"),
                        Kind::Maximum(Num::of(&n)),
                    )
                }
                "exclusiveMinimum" => {
                    let n = number()?;
                    (
                        "exclusiveMinimum",
                        format!("must be > {n}"),
                        Kind::ExclusiveMinimum(Num::of(&n)),
                    )
                }
                "exclusiveMaximum" => {
                    let n = number()?;
                    (
                        "exclusiveMaximum",
                        format!("must be < {n}"),
                        Kind::ExclusiveMaximum(Num::of(&n)),
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
                        Kind::MultipleOf(Num::of(&n)),
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
                    Kind::PrefixItems(self.sub_array(value, &kpath, depth)?.into()),
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
                    Kind::AllOf(self.sub_array(value, &kpath, depth)?.into()),
                ),
                "anyOf" => (
                    "anyOf",
                    "must match at least one schema in anyOf".to_string(),
                    Kind::AnyOf(self.sub_array(value, &kpath, depth)?.into()),
                ),
                "oneOf" => (
                    "oneOf",
                    "must match exactly one schema in oneOf".to_string(),
                    Kind::OneOf(self.sub_array(value, &kpath, depth)?.into()),
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
                                Ok((s(n), Cow::Owned(format!("must have property '{n}' when property '{trigger}' is present"))))
                            })
                            .collect::<Result<Vec<_>, Error>>()?;
                        deps.push((s(trigger), names.into()));
                    }
                    (
                        "dependentRequired",
                        String::new(),
                        Kind::DependentRequired(deps.into()),
                    )
                }
                "dependentSchemas" => (
                    "dependentSchemas",
                    String::new(),
                    Kind::DependentSchemas(self.sub_map(value, &kpath, depth)?.into()),
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
                path: Cow::Owned(kpath),
                message: Cow::Owned(message),
                kind,
            });
        }
        Ok(out)
    }
}
