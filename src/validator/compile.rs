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
    /// Short display for messages (schema data only).
    fn show(&self) -> String {
        match self {
            Lit::Str(s) => show_str(s),
            #[cfg(feature = "compile")]
            Lit::Json(v) => show(v),
        }
    }
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

/// One assertion keyword. Its name, schema path (the node's path and the name) and
/// message are derived from its check when an issue is reported ([`Keyword::name`],
/// [`Keyword::message`]), not stored: the precompiled static data stays small.
#[derive(Clone, Debug)]
pub(crate) struct Keyword {
    /// What to check.
    pub kind: Kind,
}

/// Property names (`required`, a `dependentRequired` list).
pub(crate) type Names = L<S>;

impl Keyword {
    /// The keyword's name (`required`, `type`, ...).
    pub fn name(&self) -> &'static str {
        match &self.kind {
            Kind::Type(..) => "type",
            Kind::Const(_) => "const",
            Kind::Enum(_) => "enum",
            Kind::Properties(_) => "properties",
            Kind::AdditionalProperties { .. } => "additionalProperties",
            Kind::Pattern(_) => "pattern",
            Kind::PatternProperties(_) => "patternProperties",
            Kind::Required(_) => "required",
            Kind::MinLength(_) => "minLength",
            Kind::MaxLength(_) => "maxLength",
            Kind::Minimum(_) => "minimum",
            Kind::Maximum(_) => "maximum",
            Kind::ExclusiveMinimum(_) => "exclusiveMinimum",
            Kind::ExclusiveMaximum(_) => "exclusiveMaximum",
            Kind::MultipleOf(_) => "multipleOf",
            Kind::MinProperties(_) => "minProperties",
            Kind::MaxProperties(_) => "maxProperties",
            Kind::PrefixItems(_) => "prefixItems",
            Kind::Items { .. } => "items",
            Kind::MinItems(_) => "minItems",
            Kind::MaxItems(_) => "maxItems",
            Kind::UniqueItems => "uniqueItems",
            Kind::Contains { .. } => "contains",
            Kind::AllOf(_) => "allOf",
            Kind::AnyOf(_) => "anyOf",
            Kind::OneOf(_) => "oneOf",
            Kind::Not(_) => "not",
            Kind::If { .. } => "if",
            Kind::DependentRequired(_) => "dependentRequired",
            Kind::DependentSchemas(_) => "dependentSchemas",
            Kind::PropertyNames(_) => "propertyNames",
            Kind::Ref(_) => "$ref",
            Kind::Format(_) => "format",
        }
    }

    /// The fixed message for a failure (derived from the schema only; empty for the
    /// keywords that report their subschemas' issues, or one per name: `required`).
    pub fn message(&self) -> String {
        match &self.kind {
            Kind::Type(set, names) => match (names.as_ref(), set.count_ones()) {
                ([], 1) => {
                    let one = type_name(*set);
                    match one {
                        "null" => "must be null".to_string(),
                        "object" | "array" | "integer" => format!("must be an {one}"),
                        _ => format!("must be a {one}"),
                    }
                }
                (names, _) => {
                    let mut m = String::from("must be of type ");
                    for (i, t) in names.iter().enumerate() {
                        if i > 0 {
                            m.push_str(" or ");
                        }
                        m.push_str(type_name(*t));
                    }
                    m
                }
            },
            Kind::Const(v) => format!("must be equal to constant {}", v.show()),
            Kind::Enum(vs) => {
                let mut m = String::from("must be one of: ");
                for (i, v) in vs.iter().enumerate() {
                    if i > 0 {
                        m.push_str(", ");
                    }
                    m.push_str(&v.show());
                }
                m
            }
            Kind::AdditionalProperties { .. } => "is not allowed here".to_string(),
            #[cfg(feature = "regex")]
            Kind::Pattern(re) => format!("must match pattern {}", show_str(re.as_str())),
            #[cfg(not(feature = "regex"))]
            Kind::Pattern(_) => String::new(),
            Kind::MinLength(n) => format!("must not have fewer than {n} characters"),
            Kind::MaxLength(n) => format!("must not have more than {n} characters"),
            Kind::Minimum(n) => format!("must be >= {n}"),
            Kind::Maximum(n) => format!("must be <= {n}"),
            Kind::ExclusiveMinimum(n) => format!("must be > {n}"),
            Kind::ExclusiveMaximum(n) => format!("must be < {n}"),
            Kind::MultipleOf(n) => format!("must be a multiple of {n}"),
            Kind::MinProperties(n) => format!("must not have fewer than {n} properties"),
            Kind::MaxProperties(n) => format!("must not have more than {n} properties"),
            Kind::MinItems(n) => format!("must not have fewer than {n} items"),
            Kind::MaxItems(n) => format!("must not have more than {n} items"),
            Kind::UniqueItems => "must not have duplicate items".to_string(),
            Kind::Contains { min, max, .. } => match max {
                Some(max) => format!("must contain between {min} and {max} matching items"),
                None => format!("must contain at least {min} matching item(s)"),
            },
            Kind::AnyOf(_) => "must match at least one schema in anyOf".to_string(),
            Kind::OneOf(_) => "must match exactly one schema in oneOf".to_string(),
            Kind::Not(_) => "must not be valid against the schema in not".to_string(),
            Kind::PropertyNames(_) => "property name is not valid (propertyNames)".to_string(),
            Kind::Format(f) => format!("must be a valid {}", f.name()),
            Kind::Properties(_)
            | Kind::PatternProperties(_)
            | Kind::Required(_)
            | Kind::PrefixItems(_)
            | Kind::Items { .. }
            | Kind::AllOf(_)
            | Kind::If { .. }
            | Kind::DependentRequired(_)
            | Kind::DependentSchemas(_)
            | Kind::Ref(_) => String::new(),
        }
    }
}

/// The name of the one type in `bit` (a [`types`] constant).
fn type_name(bit: u8) -> &'static str {
    match bit {
        types::NULL => "null",
        types::BOOLEAN => "boolean",
        types::OBJECT => "object",
        types::ARRAY => "array",
        types::NUMBER => "number",
        types::STRING => "string",
        _ => "integer",
    }
}

/// Short display of a schema string for messages: its JSON text (as serde_json writes
/// it), cut to 80 characters.
fn show_str(s: &str) -> String {
    let mut text = String::with_capacity(s.len() + 2);
    crate::json::write::write_str(s, &mut text);
    cut(text)
}

/// `text`, or its first 77 characters and `...` when it is longer than 80.
fn cut(text: String) -> String {
    if text.chars().count() > 80 {
        let mut t: String = text.chars().take(77).collect();
        t.push_str("...");
        t
    } else {
        text
    }
}

impl std::fmt::Display for Num {
    /// As serde_json displays the number it read.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Num::U(u) => write!(f, "{u}"),
            Num::I(i) => write!(f, "{i}"),
            // Always finite: serde_json holds no other number.
            Num::F(x) if x.is_finite() => f.write_str(zmij::Buffer::new().format_finite(*x)),
            Num::F(_) => f.write_str("null"),
        }
    }
}

/// The check a keyword performs; subschemas are node indices. (Without the runtime
/// compiler, only the vendored schemas' keywords are ever constructed.)
#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "compile"), allow(dead_code))]
pub(crate) enum Kind {
    /// The set of types, and the type names as listed when the schema lists other than
    /// one (for the message; empty for one name).
    Type(u8, L<u8>),
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
    Required(Names),
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
    /// Each entry: trigger property and the properties it requires.
    DependentRequired(L<(S, Names)>),
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
    cut(v.to_string())
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
            let kind = match key.as_str() {
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
                    let mut listed = Vec::with_capacity(names.len());
                    for n in &names {
                        let bit = match *n {
                            "null" => types::NULL,
                            "boolean" => types::BOOLEAN,
                            "object" => types::OBJECT,
                            "array" => types::ARRAY,
                            "number" => types::NUMBER,
                            "string" => types::STRING,
                            "integer" => types::INTEGER,
                            _ => return Err(err(format!("{kpath}: unknown type name"))),
                        };
                        set |= bit;
                        listed.push(bit);
                    }
                    if listed.len() == 1 {
                        listed.clear();
                    }
                    Kind::Type(set, listed.into())
                }
                "const" => Kind::Const(Lit::of(value)),
                "enum" => {
                    let vals = value.as_array().ok_or_else(|| bad("an array"))?;
                    Kind::Enum(vals.iter().map(Lit::of).collect::<Vec<_>>().into())
                }
                "properties" => Kind::Properties({
                    let mut props = self.sub_map(value, &kpath, depth)?;
                    crate::json::sort::sort_vec_by(&mut props, |a, b| a.0.cmp(&b.0));
                    props.into()
                }),
                "pattern" => {
                    let text = value.as_str().ok_or_else(|| bad("a string"))?;
                    let re = super::regex::Regex::new(text).map_err(|e| {
                        err(format!("{kpath}: unsupported regular expression: {e}"))
                    })?;
                    Kind::Pattern(re)
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
                    Kind::PatternProperties(pats.into())
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
                    Kind::AdditionalProperties {
                        sub,
                        known: known.into(),
                        forbid,
                        patterns: patterns.into(),
                    }
                }
                "required" => {
                    let names = value.as_array().ok_or_else(|| bad("an array of strings"))?;
                    let names = names
                        .iter()
                        .map(|n| {
                            let n = n.as_str().ok_or_else(|| bad("an array of strings"))?;
                            Ok(s(n))
                        })
                        .collect::<Result<Vec<_>, Error>>()?;
                    Kind::Required(names.into())
                }
                "minLength" => Kind::MinLength(non_neg()?),
                "maxLength" => Kind::MaxLength(non_neg()?),
                "minimum" => Kind::Minimum(Num::of(&number()?)),
                "maximum" => Kind::Maximum(Num::of(&number()?)),
                "exclusiveMinimum" => Kind::ExclusiveMinimum(Num::of(&number()?)),
                "exclusiveMaximum" => Kind::ExclusiveMaximum(Num::of(&number()?)),
                "multipleOf" => {
                    let n = number()?;
                    if !matches!(n.as_f64(), Some(f) if f > 0.0) {
                        return Err(bad("a number greater than 0"));
                    }
                    Kind::MultipleOf(Num::of(&n))
                }
                "minProperties" => Kind::MinProperties(non_neg()?),
                "maxProperties" => Kind::MaxProperties(non_neg()?),
                "prefixItems" => Kind::PrefixItems(self.sub_array(value, &kpath, depth)?.into()),
                "items" => {
                    let start = map
                        .get("prefixItems")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                    let sub = self.compile(value, &kpath, depth + 1)?;
                    Kind::Items { start, sub }
                }
                "minItems" => Kind::MinItems(non_neg()?),
                "maxItems" => Kind::MaxItems(non_neg()?),
                "uniqueItems" => match value {
                    Value::Bool(true) => Kind::UniqueItems,
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
                    Kind::Contains { sub, min, max }
                }
                "allOf" => Kind::AllOf(self.sub_array(value, &kpath, depth)?.into()),
                "anyOf" => Kind::AnyOf(self.sub_array(value, &kpath, depth)?.into()),
                "oneOf" => Kind::OneOf(self.sub_array(value, &kpath, depth)?.into()),
                "not" => Kind::Not(self.compile(value, &kpath, depth + 1)?),
                "if" => {
                    let cond = self.compile(value, &kpath, depth + 1)?;
                    let then = self.sub(map, "then", path, depth)?;
                    let otherwise = self.sub(map, "else", path, depth)?;
                    Kind::If {
                        cond,
                        then,
                        otherwise,
                    }
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
                                let n = n
                                    .as_str()
                                    .ok_or_else(|| bad("an object of string arrays"))?;
                                Ok(s(n))
                            })
                            .collect::<Result<Vec<_>, Error>>()?;
                        deps.push((s(trigger), names.into()));
                    }
                    Kind::DependentRequired(deps.into())
                }
                "dependentSchemas" => {
                    Kind::DependentSchemas(self.sub_map(value, &kpath, depth)?.into())
                }
                "propertyNames" => Kind::PropertyNames(self.compile(value, &kpath, depth + 1)?),
                "$ref" => {
                    let r = value.as_str().ok_or_else(|| bad("a string"))?;
                    Kind::Ref(self.resolve_ref(r, &kpath, depth)?)
                }
                "format" => {
                    let f = value.as_str().ok_or_else(|| bad("a string"))?;
                    match Format::from_name(f) {
                        Some(f) => Kind::Format(f),
                        // Unknown formats are annotations.
                        None => continue,
                    }
                }
                _ => return Err(err(format!("unsupported keyword `{key}` at {kpath}"))),
            };
            out.push(Keyword { kind });
        }
        Ok(out)
    }
}
