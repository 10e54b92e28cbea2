//! JSON Schema draft 2020-12 validation of audit events against the vendored schemas.
//!
//! # What is supported
//!
//! A schema is compiled once ([`Validator::compile`]) into an arena of keyword nodes;
//! validation walks that arena without allocating unless an issue is found.
//!
//! * Assertions: `type` (one name or an array; `integer` accepts `1.0`), `const`, `enum`
//!   (JSON equality, numbers compare numerically), `properties`, `required`,
//!   `additionalProperties`, `minLength`/`maxLength` (Unicode code points),
//!   `minimum`/`maximum`/`exclusiveMinimum`/`exclusiveMaximum`, `multipleOf`,
//!   `minProperties`/`maxProperties`, `prefixItems`, `items`, `minItems`/`maxItems`,
//!   `uniqueItems`, `contains`/`minContains`/`maxContains`, `allOf`, `anyOf`, `oneOf`,
//!   `not`, `if`/`then`/`else`, `dependentRequired`, `dependentSchemas`, `propertyNames`,
//!   `$ref`, `$defs`, `format`, and boolean schemas.
//! * `$ref` must be local: `#`, `#/json/pointer` (percent-encoded or `~`-escaped), or the
//!   root `$id` followed by such a fragment. `$id` is allowed only at the root.
//! * `format` asserts `uuid`, `date-time`, `date`, `time`, `ipv4` and `ipv6` (see
//!   [`format`](mod@format)); any other format name is an annotation and never fails.
//! * Ignored annotations: `$schema`, `$id`, `$comment`, `$anchor`, `title`, `description`,
//!   `default`, `examples`, `deprecated`, `readOnly`, `writeOnly`, `contentMediaType`,
//!   `contentEncoding`, `contentSchema`.
//! * `pattern` and `patternProperties` use the linear-time ECMA-262 engine in [`regex`]
//!   (cargo feature `regex`, off by default: the vendored schemas use neither);
//!   a construct it does not support (lookaround, backreferences, most `\p{..}`) fails
//!   compilation, naming it.
//! * Everything else — `$dynamicRef`, `unevaluated*`, remote refs and unknown keywords —
//!   makes compilation fail with [`Error::Schema`] naming the keyword and its schema path,
//!   so a schema is never half-validated.
//!
//! # Issues
//!
//! Every issue is reported, in a deterministic order: keywords in schema order within
//! each subschema, depth first; `properties`, `additionalProperties` and `propertyNames`
//! walk the instance's members in document order. `instance_path` is a JSON Pointer into the instance;
//! `schema_path` is the absolute pointer of the failing keyword in the schema, taken at
//! the *resolved* location for keywords reached through `$ref` (e.g.
//! `/$defs/ActionType/enum`). Messages are fixed phrases derived from the schema only and
//! never contain instance values:
//!
//! * `required` / `dependentRequired`: one issue per missing property, at the object.
//! * `additionalProperties: false`: one issue per extra property, at the path of that
//!   property (`/actor/extra`), message `is not allowed here` (keyword `additionalProperties`).
//!   Instance paths contain member *names* from the instance (never values).
//! * `propertyNames`: one issue per bad name, at the path of that property.
//! * `anyOf`, `oneOf`, `not`, `contains`: one issue for the keyword itself, without the
//!   issues of the subschemas tried.
//! * `allOf`, `$ref`, `properties`, `items`, `prefixItems`, `if`/`then`/`else`,
//!   `dependentSchemas`: no issue of their own; the issues of the applied subschemas.
//! * A `false` subschema: keyword `false`, message `no value is allowed here`.
//! * Nesting deeper than [`MAX_DEPTH`] subschema applications stops with keyword
//!   `depth`, message `nesting too deep` (protects the stack from deep instances).

mod compile;
mod fast;
pub mod format;
use crate::json::read as lite;
/// Byte equality in words (`memcmp` goes byte by byte in wasm).
pub(crate) use fast::bytes_eq;
/// The linear-time ECMA-262 engine for `pattern` (cargo feature `regex`).
#[cfg(feature = "regex")]
pub mod regex;
/// Without the `regex` feature, `pattern` and `patternProperties` do not compile.
#[cfg(not(feature = "regex"))]
#[path = "no_regex.rs"]
pub mod regex;

use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

use serde_json::{Number, Value};

use crate::Error;
use compile::{types, Compiler, Keyword, Kind, Node};
use fast::{Additional, Fast, Op};
/// A vendored bh-audit-schema version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemaVersion {
    /// bh-audit-schema 1.0
    V1_0,
    /// bh-audit-schema 1.1 (the logger's default target)
    V1_1,
    /// bh-audit-schema 2.0
    V2_0,
    /// bh-audit-schema 2.1
    V2_1,
}

impl SchemaVersion {
    /// Every vendored version, oldest first.
    pub const ALL: [SchemaVersion; 4] = [
        SchemaVersion::V1_0,
        SchemaVersion::V1_1,
        SchemaVersion::V2_0,
        SchemaVersion::V2_1,
    ];

    /// The version as written in `schema_version` (`"1.1"`).
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaVersion::V1_0 => "1.0",
            SchemaVersion::V1_1 => "1.1",
            SchemaVersion::V2_0 => "2.0",
            SchemaVersion::V2_1 => "2.1",
        }
    }

    /// Parse `"1.0"`, `"1.1"`, `"2.0"` or `"2.1"`.
    pub fn parse(s: &str) -> Option<SchemaVersion> {
        SchemaVersion::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The vendored schema file's text, byte for byte.
    pub fn schema_text(self) -> &'static str {
        match self {
            SchemaVersion::V1_0 => include_str!("../../schema/1.0/audit_event.schema.json"),
            SchemaVersion::V1_1 => include_str!("../../schema/1.1/audit_event.schema.json"),
            SchemaVersion::V2_0 => include_str!("../../schema/2.0/audit_event.schema.json"),
            SchemaVersion::V2_1 => include_str!("../../schema/2.1/audit_event.schema.json"),
        }
    }

    /// What the validator compiles: [`Self::schema_text`] without whitespace and without
    /// ignored annotations (made by build.rs; test `compact_schemas_compile_identically`).
    fn compact_schema_text(self) -> &'static str {
        match self {
            SchemaVersion::V1_0 => include_str!(concat!(env!("OUT_DIR"), "/schema-1.0.json")),
            SchemaVersion::V1_1 => include_str!(concat!(env!("OUT_DIR"), "/schema-1.1.json")),
            SchemaVersion::V2_0 => include_str!(concat!(env!("OUT_DIR"), "/schema-2.0.json")),
            SchemaVersion::V2_1 => include_str!(concat!(env!("OUT_DIR"), "/schema-2.1.json")),
        }
    }
}

#[cfg(test)]
mod compact_schema_tests {
    use super::*;

    /// The compact text build.rs embeds compiles to exactly what the vendored text does
    /// (every node, path, message and keyword: the full `Debug` form of the validator).
    #[test]
    fn compact_schemas_compile_identically() {
        for v in SchemaVersion::ALL {
            let full: Value = serde_json::from_str(v.schema_text()).unwrap();
            let compact: Value = serde_json::from_str(v.compact_schema_text()).unwrap();
            assert!(
                v.compact_schema_text().len() * 2 < v.schema_text().len(),
                "{v}"
            );
            assert_eq!(
                format!("{:?}", Validator::compile(&full).unwrap()),
                format!("{:?}", Validator::compile(&compact).unwrap()),
                "{v}"
            );
        }
    }
}

impl fmt::Display for SchemaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason an instance is invalid. Messages never contain the instance's values.
///
/// Its display and its serialized form (what leaves the crate: diagnostics, errors, the
/// JS package's `errors`) carry [`ValidationIssue::public_path`], in which key names that
/// look like identifiers are redacted; `instance_path` itself stays exact for callers that
/// act on the event (masking, removing keys).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ValidationIssue {
    /// JSON Pointer to the offending value in the instance (`/actor/subject_id`; `""` = root).
    #[serde(rename = "instancePath", serialize_with = "serialize_public_path")]
    pub instance_path: String,
    /// JSON Pointer to the failing keyword in the schema (`/properties/actor/required`).
    #[serde(rename = "schemaPath")]
    pub schema_path: String,
    /// The failing keyword (`required`, `type`, `format`, ...).
    pub keyword: String,
    /// What the rule requires, e.g. `must be a string`. Never the value itself.
    pub message: String,
    /// The `$comment` of the schema rule the issue falls under (the nearest enclosing
    /// subschema that states one, e.g. `RFC 0003 R2. ...`), where the schema states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// Longest key name an issue's public path shows, in code points.
const MAX_PATH_SEGMENT: usize = 64;

/// `instance_path` with every segment passed through [`crate::sanitize::redact_name`]: a
/// key name that is an identifier (`/resource/123-45-6789`) shows as its redaction
/// (`/resource/[REDACTED-SSN]`), long names are capped, control characters escaped.
pub fn public_path(instance_path: &str) -> std::borrow::Cow<'_, str> {
    let needs = instance_path.split('/').any(|seg| {
        matches!(
            crate::sanitize::redact_name(seg, MAX_PATH_SEGMENT),
            std::borrow::Cow::Owned(_)
        )
    });
    if !needs {
        return std::borrow::Cow::Borrowed(instance_path);
    }
    let mut out = String::with_capacity(instance_path.len());
    for (i, seg) in instance_path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let raw = seg.replace("~1", "/").replace("~0", "~");
        let shown = crate::sanitize::redact_name(&raw, MAX_PATH_SEGMENT);
        out.push_str(&compile::escape_token(&shown));
    }
    std::borrow::Cow::Owned(out)
}

fn serialize_public_path<S: serde::Serializer>(path: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&public_path(path))
}

impl ValidationIssue {
    /// The instance path as it may be shown (see [`public_path`]).
    pub fn public_path(&self) -> std::borrow::Cow<'_, str> {
        public_path(&self.instance_path)
    }
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.public_path();
        let path = if path.is_empty() { "/" } else { &path };
        write!(f, "{path}: {} ({})", self.message, self.keyword)
    }
}

/// How many nested subschema applications validation follows before giving up.
pub const MAX_DEPTH: usize = 256;

/// A schema compiled once into a tree of keyword validators.
#[derive(Debug)]
pub struct Validator {
    nodes: Vec<Node>,
    /// The boolean fast form of `nodes`, index for index.
    fast: Vec<Fast>,
    /// `(schema path, $comment)` of every subschema that states a rule, longest path first.
    rules: Vec<(Box<str>, Box<str>)>,
}

fn compile_version(version: SchemaVersion) -> Result<Validator, Error> {
    let schema = crate::json::read::parse_value(version.compact_schema_text()).map_err(|_| {
        Error::Schema {
            message: format!("vendored schema {version} is not valid json"),
        }
    })?;
    Validator::compile(&schema)
}

impl Validator {
    /// Compile a draft 2020-12 schema. Unknown keywords make compilation fail.
    pub fn compile(schema: &Value) -> Result<Validator, Error> {
        let mut compiler = Compiler::new(schema);
        compiler.compile(schema, "", 0)?;
        let fast = fast::build(&compiler.nodes);
        let mut rules = std::mem::take(&mut compiler.comments);
        rules.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
        Ok(Validator {
            nodes: compiler.nodes,
            fast,
            rules,
        })
    }

    /// The compiled validator for a vendored version (compiled on first use, then shared).
    pub fn for_version(version: SchemaVersion) -> Result<&'static Validator, Error> {
        static V1_0: OnceLock<Result<Validator, Error>> = OnceLock::new();
        static V1_1: OnceLock<Result<Validator, Error>> = OnceLock::new();
        static V2_0: OnceLock<Result<Validator, Error>> = OnceLock::new();
        static V2_1: OnceLock<Result<Validator, Error>> = OnceLock::new();
        let cell = match version {
            SchemaVersion::V1_0 => &V1_0,
            SchemaVersion::V1_1 => &V1_1,
            SchemaVersion::V2_0 => &V2_0,
            SchemaVersion::V2_1 => &V2_1,
        };
        match cell.get_or_init(|| compile_version(version)) {
            Ok(v) => Ok(v),
            Err(e) => Err(e.clone()),
        }
    }

    /// Every issue in `instance`, in document order; empty when valid.
    pub fn validate(&self, instance: &Value) -> Vec<ValidationIssue> {
        // Valid instances (the common case) take the boolean fast path only.
        match self.failing(0, instance, 0) {
            None => Vec::new(),
            Some(held) => self.issues(instance, held),
        }
    }

    /// Every issue of an instance the fast path rejected; `held`: what the fast path learnt
    /// about the root (from [`Validator::failing`]).
    fn issues<I: Inst>(&self, instance: &I, held: Held) -> Vec<ValidationIssue> {
        let mut issues = Vec::new();
        self.node_issues(0, instance, &IPath::ROOT, 0, &mut Some(&mut issues), held);
        if !self.rules.is_empty() {
            for issue in &mut issues {
                issue.rule = self.rule_for(&issue.schema_path).map(str::to_owned);
            }
        }
        issues
    }

    /// The `$comment` of the innermost subschema at or above `schema_path` that states one.
    pub fn rule_for(&self, schema_path: &str) -> Option<&str> {
        self.rules
            .iter()
            .find(|(p, _)| {
                schema_path
                    .strip_prefix(&**p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
            .map(|(_, c)| &**c)
    }

    /// `true` when `instance` is valid. Stops at the first failure; never allocates.
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.fast(0, instance, 0)
    }

    /// Every issue of the light document `doc`, appended to `out` (the boolean fast path
    /// alone when it is valid).
    pub(crate) fn issues_into(&self, doc: &lite::Lite<'_>, out: &mut Vec<ValidationIssue>) {
        if let Some(held) = self.failing(0, doc, 0) {
            out.extend(self.issues(doc, held));
        }
    }

    /// Whether `inst` matches node `id`: the boolean fast path.
    fn fast<I: Inst>(&self, id: usize, inst: &I, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match self.fast.get(id) {
            Some(Fast::Bool(b)) => *b,
            Some(Fast::Leaf(l)) => leaf_matches(l, inst),
            Some(Fast::Ops(ops)) => ops
                .iter()
                .all(|(op, _)| self.op(op, id, inst, depth, &mut 0)),
            None => false,
        }
    }

    /// The fast path's verdict on node `id`, with what it learnt on the way: `None` when
    /// `inst` matches; else the keywords of the node known to hold (see [`Fast::Ops`]),
    /// which the issue-collecting path need not check again, and how far the first failing
    /// op got.
    fn failing<I: Inst>(&self, id: usize, inst: &I, depth: usize) -> Option<Held> {
        match self.fast.get(id) {
            Some(Fast::Ops(ops)) if depth <= MAX_DEPTH => {
                let mut holding = 0;
                for (op, covers) in ops.iter() {
                    let mut hint = 0;
                    if !self.op(op, id, inst, depth, &mut hint) {
                        return Some(Held {
                            holding,
                            failed: *covers,
                            hint,
                        });
                    }
                    holding |= covers;
                }
                None
            }
            _ => (!self.child(id, inst, depth)).then_some(Held::default()),
        }
    }

    /// [`Validator::fast`] for a subschema, with leaves checked inline (no recursive call).
    #[inline(always)]
    fn child<I: Inst>(&self, id: usize, inst: &I, depth: usize) -> bool {
        match self.fast.get(id) {
            Some(Fast::Leaf(l)) if depth <= MAX_DEPTH => leaf_matches(l, inst),
            _ => self.fast(id, inst, depth),
        }
    }

    /// Whether `inst` passes `op` (of node `id`). When it does not, `hint` tells the
    /// issue-collecting path what is already known (see [`Held::hint`]).
    fn op<I: Inst>(&self, op: &Op, id: usize, inst: &I, depth: usize, hint: &mut usize) -> bool {
        match op {
            Op::Type(set) => type_matches(inst, *set),
            Op::StrLen { min, max } => match inst.string() {
                Some(s) => str_len_ok(s, *min, *max),
                None => true,
            },
            Op::StrEnum(set) => match inst.string() {
                Some(s) => {
                    let b = s.as_bytes();
                    set.iter().any(|v| fast::bytes_eq(v, b))
                }
                None => false,
            },
            Op::Format(f) => match inst.string() {
                Some(s) => f.check(s),
                None => true,
            },
            Op::Object(plan) => {
                let Some(members) = inst.members() else {
                    return true;
                };
                let d = depth + 1;
                let mut seen = 0u64;
                if plan.by_name {
                    for (i, name) in plan.names().iter().enumerate() {
                        let Some((_, v)) = inst
                            .members()
                            .and_then(|mut m| m.find(|(k, _)| fast::bytes_eq(k.as_bytes(), name)))
                        else {
                            continue;
                        };
                        seen |= 1 << i;
                        if let Some(sub) = plan.props.get(i).copied().flatten() {
                            if !self.child(sub, v, d) {
                                return false;
                            }
                        }
                    }
                } else {
                    let count = members.len();
                    for (n, (k, v)) in members.enumerate() {
                        let sub = match plan.table.find(k.as_bytes()) {
                            Some(i) => {
                                seen |= 1 << i;
                                plan.props.get(i).copied().flatten()
                            }
                            None => None,
                        };
                        let ok = match (sub, &plan.additional) {
                            (Some(sub), _) => self.child(sub, v, d),
                            (None, Additional::Any) => true,
                            (None, Additional::Forbid) => false,
                            (None, Additional::Sub(sub)) => self.child(*sub, v, d),
                        };
                        if !ok {
                            // The members before this one passed.
                            *hint = n;
                            return false;
                        }
                    }
                    *hint = count;
                }
                seen & plan.required == plan.required
                    && plan
                        .dependent
                        .iter()
                        .all(|(t, m)| seen & t == 0 || seen & m == *m)
            }
            Op::AllOf(subs) => match subs.iter().position(|s| !self.child(*s, inst, depth + 1)) {
                None => true,
                Some(at) => {
                    *hint = at;
                    false
                }
            },
            Op::AnyOf(subs) => subs.iter().any(|s| self.child(*s, inst, depth + 1)),
            Op::If {
                cond,
                then,
                otherwise,
            } => {
                let matched = self.child(*cond, inst, depth + 1);
                *hint = if matched { IF_MATCHED } else { IF_FAILED };
                match if matched { then } else { otherwise } {
                    Some(b) => self.child(*b, inst, depth + 1),
                    None => true,
                }
            }
            Op::Items { start, sub } => match inst.items() {
                Some(arr) => arr
                    .iter()
                    .skip(*start)
                    .all(|item| self.child(*sub, item, depth + 1)),
                None => true,
            },
            Op::MaxItems(n) => match inst.items() {
                Some(a) => a.len() as u64 <= *n,
                None => true,
            },
            Op::Ref(target) => self.child(*target, inst, depth + 1),
            Op::Kw(i) => match self.nodes.get(id) {
                Some(Node::Keywords { keywords, .. }) => match keywords.get(*i) {
                    Some(kw) => self.keyword(kw, inst, &IPath::ROOT, depth, &mut None, 0),
                    None => false,
                },
                _ => false,
            },
        }
    }

    fn node<I: Inst>(
        &self,
        id: usize,
        inst: &I,
        path: &IPath<'_>,
        depth: usize,
        out: &mut Out<'_>,
    ) -> bool {
        // A subschema the fast path accepts has no issues (the issue-collecting path reports
        // an issue only where it fails, and agrees with the fast path on the verdict): only
        // failing subschemas are walked again to collect their issues.
        if out.is_none() {
            return self.child(id, inst, depth);
        }
        match self.failing(id, inst, depth) {
            None => true,
            Some(held) => self.node_issues(id, inst, path, depth, out, held),
        }
    }

    /// [`Validator::node`] collecting issues, for a subschema the fast path rejected;
    /// keywords whose bit is set in `held.holding` are known to hold and are skipped.
    fn node_issues<I: Inst>(
        &self,
        id: usize,
        inst: &I,
        path: &IPath<'_>,
        depth: usize,
        out: &mut Out<'_>,
        held: Held,
    ) -> bool {
        let Some(node) = self.nodes.get(id) else {
            return false;
        };
        if depth > MAX_DEPTH {
            report(out, path, node.path(), "depth", "nesting too deep");
            return false;
        }
        match node {
            Node::Bool { value: true, .. } => true,
            Node::Bool {
                value: false,
                path: sp,
            } => {
                report(out, path, sp, "false", "no value is allowed here");
                false
            }
            Node::Keywords { keywords, .. } => {
                let mut valid = true;
                for (i, kw) in keywords.iter().enumerate() {
                    let bit = fast::kw_bit(i);
                    if held.holding & bit != 0 {
                        continue;
                    }
                    let hint = if held.failed & bit != 0 { held.hint } else { 0 };
                    if !self.keyword(kw, inst, path, depth, out, hint) {
                        valid = false;
                        if out.is_none() {
                            return false;
                        }
                    }
                }
                valid
            }
        }
    }

    /// Whether `inst` matches node `id`, without collecting issues.
    fn matches<I: Inst>(&self, id: usize, inst: &I, path: &IPath<'_>, depth: usize) -> bool {
        self.node(id, inst, path, depth + 1, &mut None)
    }

    fn keyword<I: Inst>(
        &self,
        kw: &Keyword,
        inst: &I,
        path: &IPath<'_>,
        depth: usize,
        out: &mut Out<'_>,
        hint: usize,
    ) -> bool {
        let fail = |out: &mut Out<'_>| {
            report(out, path, &kw.path, kw.name, &kw.message);
            false
        };
        let d = depth + 1;
        match &kw.kind {
            Kind::Type(set) => type_matches(inst, *set) || fail(out),
            Kind::Const(v) => inst_eq(inst, v, 0) || fail(out),
            Kind::Enum(vs) => vs.iter().any(|v| inst_eq(inst, v, 0)) || fail(out),
            Kind::Properties(props) => {
                let Some(obj) = inst.members() else {
                    return true;
                };
                let mut valid = true;
                // Walk the instance (document order); `props` is sorted by name. The first
                // `hint` members are known to pass.
                for (k, v) in obj.skip(hint) {
                    let Some(sub) = find_sorted(props, k, |(n, _)| n) else {
                        continue;
                    };
                    let (_, sub) = sub;
                    if !self.node(*sub, v, &path.key(k), d, out) {
                        valid = false;
                        if out.is_none() {
                            return false;
                        }
                    }
                }
                valid
            }
            Kind::AdditionalProperties {
                sub,
                known,
                forbid,
                patterns,
            } => {
                let Some(obj) = inst.members() else {
                    return true;
                };
                let mut valid = true;
                for (k, v) in obj.skip(hint) {
                    if find_sorted(known, k, |n| n).is_some()
                        || patterns.iter().any(|re| re.is_match(k))
                    {
                        continue;
                    }
                    let ok = if *forbid {
                        report(out, &path.key(k), &kw.path, kw.name, &kw.message);
                        false
                    } else {
                        self.node(*sub, v, &path.key(k), d, out)
                    };
                    if !ok {
                        valid = false;
                        if out.is_none() {
                            return false;
                        }
                    }
                }
                valid
            }
            Kind::Required(names) => {
                inst.members().is_none() || require_names(inst, names, path, kw, out)
            }
            Kind::MinLength(n) => match inst.string() {
                Some(s) => {
                    // A char is at most 4 bytes: count only when the byte length is ambiguous.
                    let bytes = s.len() as u64;
                    bytes / 4 >= *n || (bytes >= *n && s.chars().count() as u64 >= *n) || fail(out)
                }
                _ => true,
            },
            Kind::MaxLength(n) => match inst.string() {
                Some(s) => (s.len() as u64) <= *n || (s.chars().count() as u64) <= *n || fail(out),
                _ => true,
            },
            Kind::Minimum(m) => {
                num_check(inst, |x| num_cmp(x, m).is_some_and(Ordering::is_ge)) || fail(out)
            }
            Kind::Maximum(m) => {
                num_check(inst, |x| num_cmp(x, m).is_some_and(Ordering::is_le)) || fail(out)
            }
            Kind::ExclusiveMinimum(m) => {
                num_check(inst, |x| num_cmp(x, m).is_some_and(Ordering::is_gt)) || fail(out)
            }
            Kind::ExclusiveMaximum(m) => {
                num_check(inst, |x| num_cmp(x, m).is_some_and(Ordering::is_lt)) || fail(out)
            }
            Kind::MultipleOf(m) => num_check(inst, |x| is_multiple(x, m)) || fail(out),
            Kind::MinProperties(n) => match inst.members() {
                Some(o) => o.len() as u64 >= *n || fail(out),
                None => true,
            },
            Kind::MaxProperties(n) => match inst.members() {
                Some(o) => o.len() as u64 <= *n || fail(out),
                None => true,
            },
            Kind::PrefixItems(subs) => {
                let Some(arr) = inst.items() else { return true };
                let mut valid = true;
                for (i, (item, sub)) in arr.iter().zip(subs).enumerate() {
                    if !self.node(*sub, item, &path.index(i), d, out) {
                        valid = false;
                        if out.is_none() {
                            return false;
                        }
                    }
                }
                valid
            }
            Kind::Items { start, sub } => {
                let Some(arr) = inst.items() else { return true };
                let mut valid = true;
                for (i, item) in arr.iter().enumerate().skip(*start) {
                    if !self.node(*sub, item, &path.index(i), d, out) {
                        valid = false;
                        if out.is_none() {
                            return false;
                        }
                    }
                }
                valid
            }
            Kind::MinItems(n) => match inst.items() {
                Some(a) => a.len() as u64 >= *n || fail(out),
                None => true,
            },
            Kind::MaxItems(n) => match inst.items() {
                Some(a) => a.len() as u64 <= *n || fail(out),
                None => true,
            },
            Kind::UniqueItems => match inst.items() {
                Some(a) => {
                    // Rare (no vendored schema uses it): compare as `Value`s.
                    let a: Vec<_> = a.iter().map(Inst::value).collect();
                    let dup = a
                        .iter()
                        .enumerate()
                        .any(|(i, x)| a.iter().skip(i + 1).any(|y| json_eq(x, y, 0)));
                    !dup || fail(out)
                }
                None => true,
            },
            Kind::Contains { sub, min, max } => {
                let Some(arr) = inst.items() else { return true };
                let mut count: u64 = 0;
                for (i, item) in arr.iter().enumerate() {
                    if self.matches(*sub, item, &path.index(i), depth) {
                        count += 1;
                        if max.is_none() && count >= *min {
                            break;
                        }
                    }
                }
                (count >= *min && max.is_none_or_ge(count)) || fail(out)
            }
            Kind::AllOf(subs) => {
                let mut valid = true;
                // The first `hint` subschemas are known to pass.
                for sub in subs.iter().skip(hint) {
                    if !self.node(*sub, inst, path, d, out) {
                        valid = false;
                        if out.is_none() {
                            return false;
                        }
                    }
                }
                valid
            }
            Kind::AnyOf(subs) => {
                subs.iter().any(|s| self.matches(*s, inst, path, depth)) || fail(out)
            }
            Kind::OneOf(subs) => {
                let mut count = 0;
                for s in subs {
                    if self.matches(*s, inst, path, depth) {
                        count += 1;
                        if count > 1 {
                            break;
                        }
                    }
                }
                count == 1 || fail(out)
            }
            Kind::Not(sub) => !self.matches(*sub, inst, path, depth) || fail(out),
            Kind::If {
                cond,
                then,
                otherwise,
            } => {
                let matched = match hint {
                    IF_MATCHED => true,
                    IF_FAILED => false,
                    _ => self.matches(*cond, inst, path, depth),
                };
                let branch = if matched { then } else { otherwise };
                match branch {
                    Some(b) => self.node(*b, inst, path, d, out),
                    None => true,
                }
            }
            Kind::DependentRequired(deps) => {
                if inst.members().is_none() {
                    return true;
                }
                let mut valid = true;
                for (trigger, names) in deps {
                    if inst.has_key(trigger) && !require_names(inst, names, path, kw, out) {
                        valid = false;
                        if out.is_none() {
                            return false;
                        }
                    }
                }
                valid
            }
            Kind::DependentSchemas(deps) => {
                if inst.members().is_none() {
                    return true;
                }
                let mut valid = true;
                for (trigger, sub) in deps {
                    if inst.has_key(trigger) && !self.node(*sub, inst, path, d, out) {
                        valid = false;
                        if out.is_none() {
                            return false;
                        }
                    }
                }
                valid
            }
            Kind::Pattern(re) => match inst.string() {
                Some(text) => re.is_match(text) || fail(out),
                None => true,
            },
            Kind::PatternProperties(pats) => {
                let Some(obj) = inst.members() else {
                    return true;
                };
                let mut valid = true;
                for (k, v) in obj {
                    for (re, sub) in pats {
                        if re.is_match(k) && !self.node(*sub, v, &path.key(k), d, out) {
                            valid = false;
                            if out.is_none() {
                                return false;
                            }
                        }
                    }
                }
                valid
            }
            Kind::PropertyNames(sub) => {
                let Some(obj) = inst.members() else {
                    return true;
                };
                let mut valid = true;
                for (k, _) in obj {
                    let name = Value::String(k.to_string());
                    let key_path = path.key(k);
                    if !self.matches(*sub, &name, &key_path, depth) {
                        report(out, &key_path, &kw.path, kw.name, &kw.message);
                        valid = false;
                        if out.is_none() {
                            return false;
                        }
                    }
                }
                valid
            }
            Kind::Ref(target) => self.node(*target, inst, path, d, out),
            Kind::Format(f) => match inst.string() {
                Some(s) => f.check(s) || fail(out),
                None => true,
            },
        }
    }
}

/// What the fast path learnt about a node that does not match, for the issue-collecting
/// path, which need not find it out again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Held {
    /// Keywords known to hold (bit `i` = keyword `i`).
    holding: u64,
    /// The keywords of the first failing op.
    failed: u64,
    /// How far the first failing op got; `0` = nothing known. The object op: how many
    /// leading members passed (their `properties` / `additionalProperties` subschemas);
    /// `allOf`: how many leading subschemas passed; `if`: [`IF_MATCHED`] or [`IF_FAILED`].
    hint: usize,
}

/// [`Held::hint`] of an `if` whose condition matched.
const IF_MATCHED: usize = 1;
/// [`Held::hint`] of an `if` whose condition did not match.
const IF_FAILED: usize = 2;

/// `minLength`/`maxLength` in code points; the byte length settles most cases.
#[inline]
fn str_len_ok(s: &str, min: u64, max: u64) -> bool {
    let bytes = s.len() as u64;
    // A char is at most 4 bytes: count only when the byte length is ambiguous.
    let min_ok = bytes / 4 >= min || (bytes >= min && s.chars().count() as u64 >= min);
    min_ok && (bytes <= max || s.chars().count() as u64 <= max)
}

fn leaf_matches<I: Inst>(l: &fast::Leaf, inst: &I) -> bool {
    if let Some(set) = l.types {
        if !type_matches(inst, set) {
            return false;
        }
    }
    match inst.string() {
        Some(s) => {
            str_len_ok(s, l.min_len, l.max_len)
                && match &l.strs {
                    Some(set) => set.iter().any(|v| fast::bytes_eq(v, s.as_bytes())),
                    None => true,
                }
                && match l.format {
                    Some(f) => f.check(s),
                    None => true,
                }
        }
        None => l.strs.is_none(),
    }
}

/// Where issues go: `Some` collects all of them, `None` only asks valid-or-not.
type Out<'a> = Option<&'a mut Vec<ValidationIssue>>;

/// `required` (and each triggered `dependentRequired` list): report every name of `names`
/// that `inst` lacks, with its message; `false` when one is missing (stopping at the first
/// when `out` collects nothing).
fn require_names<I: Inst>(
    inst: &I,
    names: &compile::NamesWithMessages,
    path: &IPath<'_>,
    kw: &Keyword,
    out: &mut Out<'_>,
) -> bool {
    let mut valid = true;
    for (name, message) in names {
        if !inst.has_key(name) {
            report(out, path, &kw.path, kw.name, message);
            valid = false;
            if out.is_none() {
                return false;
            }
        }
    }
    valid
}

fn report(out: &mut Out<'_>, path: &IPath<'_>, schema_path: &str, keyword: &str, message: &str) {
    if let Some(issues) = out {
        issues.push(ValidationIssue {
            instance_path: path.render(),
            schema_path: schema_path.to_string(),
            keyword: keyword.to_string(),
            message: message.to_string(),
            rule: None,
        });
    }
}

trait MaxExt {
    fn is_none_or_ge(&self, count: u64) -> bool;
}

impl MaxExt for Option<u64> {
    fn is_none_or_ge(&self, count: u64) -> bool {
        match self {
            Some(max) => count <= *max,
            None => true,
        }
    }
}

/// One step of an instance path.
#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// An instance path as a linked list on the stack; rendered only when an issue is found.
#[derive(Clone, Copy)]
struct IPath<'a> {
    parent: Option<&'a IPath<'a>>,
    seg: Option<Seg<'a>>,
}

impl<'a> IPath<'a> {
    const ROOT: IPath<'static> = IPath {
        parent: None,
        seg: None,
    };

    fn key<'b>(&'b self, k: &'b str) -> IPath<'b> {
        IPath {
            parent: Some(self),
            seg: Some(Seg::Key(k)),
        }
    }

    fn index(&self, i: usize) -> IPath<'_> {
        IPath {
            parent: Some(self),
            seg: Some(Seg::Index(i)),
        }
    }

    fn render(&self) -> String {
        let mut out = String::with_capacity(32);
        self.render_into(&mut out);
        out
    }

    /// Appends the pointer (root first) without intermediate allocations.
    fn render_into(&self, out: &mut String) {
        if let Some(p) = self.parent {
            p.render_into(out);
        }
        match self.seg {
            Some(Seg::Key(k)) => {
                out.push('/');
                if k.contains(['~', '/']) {
                    out.push_str(&compile::escape_token(k));
                } else {
                    out.push_str(k);
                }
            }
            Some(Seg::Index(i)) => {
                use std::fmt::Write as _;
                out.push('/');
                let _ = write!(out, "{i}");
            }
            None => {}
        }
    }
}

/// The entry named `name` in `list` (sorted by name): a scan comparing lengths first for
/// the short lists of audit-event schemas, a binary search for long ones.
#[inline]
fn find_sorted<'l, T>(list: &'l [T], name: &str, key: impl Fn(&T) -> &str) -> Option<&'l T> {
    if list.len() <= 32 {
        list.iter()
            .find(|x| fast::bytes_eq(key(x).as_bytes(), name.as_bytes()))
    } else {
        let at = list.binary_search_by(|x| key(x).cmp(name)).ok()?;
        list.get(at)
    }
}

/// Key lookup without hashing for the small objects audit events are made of.
fn has_key(obj: &serde_json::Map<String, Value>, name: &str) -> bool {
    if obj.len() <= 16 {
        obj.keys()
            .any(|k| fast::bytes_eq(k.as_bytes(), name.as_bytes()))
    } else {
        obj.contains_key(name)
    }
}

fn type_matches<I: Inst>(v: &I, set: u8) -> bool {
    let bit = v.type_bit();
    if bit == types::NUMBER && set & types::INTEGER != 0 && v.is_integer() {
        return true;
    }
    set & bit != 0
}

/// What validation needs to know of an instance: implemented for `serde_json::Value` and
/// for the text reader's [`lite::Lite`], so text is validated (and its issues collected)
/// without building a `Value`.
trait Inst: Sized {
    /// Iterator over an object's members in document order.
    type Members<'s>: ExactSizeIterator<Item = (&'s str, &'s Self)>
    where
        Self: 's;
    /// One of `types::{NULL, BOOLEAN, OBJECT, ARRAY, STRING, NUMBER}`.
    fn type_bit(&self) -> u8;
    /// For numbers: whether it is an integer in the JSON Schema sense (1.0 is).
    fn is_integer(&self) -> bool;
    fn string(&self) -> Option<&str>;
    fn items(&self) -> Option<&[Self]>;
    fn members(&self) -> Option<Self::Members<'_>>;
    /// For objects: whether a member is named `name`.
    fn has_key(&self, name: &str) -> bool {
        self.members()
            .is_some_and(|mut m| m.any(|(k, _)| fast::bytes_eq(k.as_bytes(), name.as_bytes())))
    }
    fn boolean(&self) -> Option<bool>;
    /// For numbers: the number as `serde_json` reads it.
    fn number(&self) -> Option<std::borrow::Cow<'_, Number>>;
    /// The instance as a `Value` (for `uniqueItems`, which compares items with each other).
    fn value(&self) -> std::borrow::Cow<'_, Value>;
}

impl Inst for Value {
    type Members<'s> = std::iter::Map<
        serde_json::map::Iter<'s>,
        fn((&'s String, &'s Value)) -> (&'s str, &'s Value),
    >;
    fn type_bit(&self) -> u8 {
        match self {
            Value::Null => types::NULL,
            Value::Bool(_) => types::BOOLEAN,
            Value::Object(_) => types::OBJECT,
            Value::Array(_) => types::ARRAY,
            Value::String(_) => types::STRING,
            Value::Number(_) => types::NUMBER,
        }
    }
    fn is_integer(&self) -> bool {
        matches!(self, Value::Number(n) if is_integer(n))
    }
    fn string(&self) -> Option<&str> {
        self.as_str()
    }
    fn items(&self) -> Option<&[Value]> {
        self.as_array().map(Vec::as_slice)
    }
    fn members(&self) -> Option<Self::Members<'_>> {
        fn pair<'s>((k, v): (&'s String, &'s Value)) -> (&'s str, &'s Value) {
            (k.as_str(), v)
        }
        self.as_object().map(|m| m.iter().map(pair as fn(_) -> _))
    }
    fn has_key(&self, name: &str) -> bool {
        self.as_object().is_some_and(|obj| has_key(obj, name))
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn number(&self) -> Option<std::borrow::Cow<'_, Number>> {
        match self {
            Value::Number(n) => Some(std::borrow::Cow::Borrowed(n)),
            _ => None,
        }
    }
    fn value(&self) -> std::borrow::Cow<'_, Value> {
        std::borrow::Cow::Borrowed(self)
    }
}

impl<'a> Inst for lite::Lite<'a> {
    type Members<'s>
        = std::iter::Map<
        std::slice::Iter<'s, (std::borrow::Cow<'a, str>, lite::Lite<'a>)>,
        fn(&'s (std::borrow::Cow<'a, str>, lite::Lite<'a>)) -> (&'s str, &'s lite::Lite<'a>),
    >
    where
        Self: 's;
    fn type_bit(&self) -> u8 {
        use lite::Lite;
        match self {
            Lite::Null => types::NULL,
            Lite::Bool(_) => types::BOOLEAN,
            Lite::Obj(_) => types::OBJECT,
            Lite::Arr(_) => types::ARRAY,
            Lite::Str(_) => types::STRING,
            Lite::Num(_) => types::NUMBER,
        }
    }
    fn is_integer(&self) -> bool {
        match self {
            // Digits only: serde_json reads an i64/u64, or (too large) a whole f64.
            lite::Lite::Num(t) if t.bytes().all(|b| b.is_ascii_digit() || b == b'-') => true,
            lite::Lite::Num(t) => crate::json::num::parse_json_f64(t)
                .is_some_and(|f| f.is_finite() && f.fract() == 0.0),
            _ => false,
        }
    }
    fn string(&self) -> Option<&str> {
        match self {
            lite::Lite::Str(s) => Some(s),
            _ => None,
        }
    }
    fn items(&self) -> Option<&[Self]> {
        match self {
            lite::Lite::Arr(a) => Some(a),
            _ => None,
        }
    }
    fn members(&self) -> Option<Self::Members<'_>> {
        fn pair<'s, 'a>(
            (k, v): &'s (std::borrow::Cow<'a, str>, lite::Lite<'a>),
        ) -> (&'s str, &'s lite::Lite<'a>) {
            (k.as_ref(), v)
        }
        match self {
            lite::Lite::Obj(m) => Some(m.iter().map(pair as fn(_) -> _)),
            _ => None,
        }
    }
    fn boolean(&self) -> Option<bool> {
        match self {
            lite::Lite::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn number(&self) -> Option<std::borrow::Cow<'_, Number>> {
        // Read as `Lite::to_value` (and so `serde_json`) reads it.
        match self {
            lite::Lite::Num(t) => match lite::num_value(t) {
                Value::Number(n) => Some(std::borrow::Cow::Owned(n)),
                _ => None,
            },
            _ => None,
        }
    }
    fn value(&self) -> std::borrow::Cow<'_, Value> {
        std::borrow::Cow::Owned(self.to_value())
    }
}

fn is_integer(n: &Number) -> bool {
    n.is_i64()
        || n.is_u64()
        || n.as_f64()
            .is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

fn as_i128(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

fn num_cmp(a: &Number, b: &Number) -> Option<Ordering> {
    match (as_i128(a), as_i128(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

fn num_check<I: Inst>(v: &I, f: impl Fn(&Number) -> bool) -> bool {
    match v.number() {
        Some(n) => f(&n),
        None => true,
    }
}

/// `x` is an integer multiple of `m` (`m` > 0). Integers are exact; otherwise the
/// quotient must be integral up to floating-point rounding (so `0.3` is a multiple of `0.1`).
fn is_multiple(x: &Number, m: &Number) -> bool {
    if let (Some(a), Some(b)) = (as_i128(x), as_i128(m)) {
        return b != 0 && a % b == 0;
    }
    let (Some(a), Some(b)) = (x.as_f64(), m.as_f64()) else {
        return false;
    };
    if b == 0.0 {
        return false;
    }
    let q = a / b;
    if !q.is_finite() {
        return false;
    }
    q.fract() == 0.0 || (q - q.round()).abs() <= q.abs() * f64::EPSILON * 4.0
}

/// JSON equality: numbers compare by value (`1 == 1.0`), objects ignore key order.
fn json_eq(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => num_cmp(x, y) == Some(Ordering::Equal),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q, depth + 1))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| json_eq(p, q, depth + 1)))
        }
        _ => a == b,
    }
}

/// [`json_eq`] of an instance and a schema value (`const`, `enum`).
fn inst_eq<I: Inst>(a: &I, b: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match b {
        Value::Null => a.type_bit() == types::NULL,
        Value::Bool(y) => a.boolean() == Some(*y),
        Value::Number(y) => a
            .number()
            .is_some_and(|x| num_cmp(&x, y) == Some(Ordering::Equal)),
        Value::String(y) => a.string() == Some(y.as_str()),
        Value::Array(y) => a.items().is_some_and(|x| {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| inst_eq(p, q, depth + 1))
        }),
        Value::Object(y) => a.members().is_some_and(|x| {
            x.len() == y.len()
                && a.members().is_some_and(|mut x| {
                    x.all(|(k, p)| y.get(k).is_some_and(|q| inst_eq(p, q, depth + 1)))
                })
        }),
    }
}

/// Validate an event against `version`, or against its own `schema_version` when `None`.
pub fn validate(
    event: &Value,
    version: Option<SchemaVersion>,
) -> Result<Vec<ValidationIssue>, Error> {
    let version = match version {
        Some(v) => v,
        None => event
            .get("schema_version")
            .and_then(Value::as_str)
            .and_then(SchemaVersion::parse)
            .ok_or(Error::UnsupportedSchemaVersion)?,
    };
    Ok(Validator::for_version(version)?.validate(event))
}

/// Parse JSON text, then [`validate`] it. Syntax errors give line and column.
///
/// Events are checked, and their issues collected, on one reading of the text by the crate's
/// JSON reader (`json::read`), without building a `Value`.
pub fn validate_str(
    text: &str,
    version: Option<SchemaVersion>,
) -> Result<Vec<ValidationIssue>, Error> {
    let doc = lite::parse_doc(text)?;
    let declared = match (&doc, version) {
        (_, Some(v)) => Some(v),
        (lite::Lite::Obj(members), None) => members
            .iter()
            .find(|(k, _)| k == "schema_version")
            .and_then(|(_, v)| v.string())
            .and_then(SchemaVersion::parse),
        _ => None,
    };
    let validator = Validator::for_version(declared.ok_or(Error::UnsupportedSchemaVersion)?)?;
    Ok(match validator.failing(0, &doc, 0) {
        None => Vec::new(),
        Some(held) => validator.issues(&doc, held),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn issues(schema: Value, instance: Value) -> Vec<ValidationIssue> {
        Validator::compile(&schema).unwrap().validate(&instance)
    }

    #[test]
    fn ref_through_root_id_and_escaped_pointers() {
        let schema = json!({
            "$id": "https://example.com/s.json",
            "$defs": {"a/b": {"type": "string"}, "p%q": {"minimum": 3}},
            "properties": {
                "x": {"$ref": "https://example.com/s.json#/$defs/a~1b"},
                "y": {"$ref": "#/$defs/p%25q"}
            }
        });
        let got = issues(schema, json!({"x": 1, "y": 2}));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].schema_path, "/$defs/a~1b/type");
        assert_eq!(got[0].instance_path, "/x");
        assert_eq!(got[0].message, "must be a string");
        assert_eq!(got[1].schema_path, "/$defs/p%q/minimum");
        assert_eq!(got[1].message, "must be >= 3");
    }

    #[test]
    fn subschema_id_is_refused() {
        let err = Validator::compile(&json!({"properties": {"a": {"$id": "x"}}})).unwrap_err();
        assert!(err.to_string().contains("/properties/a"), "{err}");
    }

    #[test]
    fn type_messages() {
        let got = issues(json!({"type": ["string", "null"]}), json!(1));
        assert_eq!(got[0].message, "must be of type string or null");
        assert_eq!(
            issues(json!({"type": "integer"}), json!(1.5))[0].message,
            "must be an integer"
        );
        assert!(issues(json!({"type": "integer"}), json!(1.0)).is_empty());
        assert_eq!(
            issues(json!({"type": "null"}), json!(0))[0].message,
            "must be null"
        );
    }

    #[test]
    fn enum_and_const_compare_numbers_by_value() {
        assert!(issues(json!({"enum": [1, "a"]}), json!(1.0)).is_empty());
        assert!(issues(json!({"const": {"a": [1]}}), json!({"a": [1.0]})).is_empty());
        let got = issues(json!({"enum": ["A", "B"]}), json!("C"));
        assert_eq!(got[0].message, "must be one of: \"A\", \"B\"");
    }

    #[test]
    fn all_issues_and_fast_path_agree() {
        let v = Validator::compile(&json!({
            "type": "object",
            "required": ["a", "b"],
            "properties": {"a": true, "b": true, "c": {"maxLength": 2}},
            "additionalProperties": false
        }))
        .unwrap();
        let inst = json!({"c": "ééé", "d": 1});
        let got = v.validate(&inst);
        let kinds: Vec<_> = got
            .iter()
            .map(|i| (i.instance_path.as_str(), i.keyword.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("", "required"),
                ("", "required"),
                ("/c", "maxLength"),
                ("/d", "additionalProperties")
            ]
        );
        assert!(!v.is_valid(&inst));
        assert!(v.is_valid(&json!({"a": 1, "b": 2, "c": "éé"})));
    }

    /// A directory of vendored test data (`tests/data/...`).
    fn test_data(rel: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(rel)
    }

    fn json_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<_> = rd.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                json_files(&p, out);
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
    }

    /// Checks one instance both ways (and with and without skipping the keywords the fast
    /// path found to hold); `true` when the light reader took it and it is invalid.
    fn lite_agrees(v: &Validator, value: &Value, what: &str) -> bool {
        let text = serde_json::to_string(value).unwrap();
        let Ok(doc) = lite::parse(&text) else {
            return false;
        };
        // The full walk (nothing skipped) on the `Value` is the reference.
        let by_value = v.issues(value, Held::default());
        let holding = v.failing(0, &doc, 0);
        assert_eq!(
            holding,
            v.failing(0, value, 0),
            "fast paths differ: {what}: {text}"
        );
        assert_eq!(
            v.issues(&doc, Held::default()),
            by_value,
            "issues differ for {what}: {text}"
        );
        if let Some(h) = holding {
            assert_eq!(
                v.issues(&doc, h),
                by_value,
                "skipping differs: {what}: {text}"
            );
        }
        let fast = v.fast(0, &doc, 0);
        assert_eq!(
            fast,
            v.fast(0, value, 0),
            "verdicts differ for {what}: {text}"
        );
        assert_eq!(
            fast,
            by_value.is_empty(),
            "fast path vs issues for {what}: {text}"
        );
        !fast
    }

    /// The issue-collecting path gives the same issues (paths, keywords, messages, order) on
    /// the light reader's document as on the `serde_json::Value`: every case of the
    /// JSON-Schema-Test-Suite the validator compiles.
    #[test]
    fn lite_issues_equal_value_issues_on_the_test_suite() {
        let mut files = Vec::new();
        json_files(
            &test_data("json-schema-test-suite/draft2020-12"),
            &mut files,
        );
        assert!(!files.is_empty(), "test suite not found");
        let mut invalid = 0;
        for file in files {
            let suite: Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            for group in suite.as_array().into_iter().flatten() {
                let Ok(v) = Validator::compile(&group["schema"]) else {
                    continue;
                };
                for t in group["tests"].as_array().into_iter().flatten() {
                    let what = format!("{} / {}", file.display(), t["description"]);
                    invalid += usize::from(lite_agrees(&v, &t["data"], &what));
                }
            }
        }
        assert!(invalid > 500, "only {invalid} invalid cases compared");
    }

    /// Every member of every object in `v` (with its parent path), depth first.
    fn object_paths(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if let Value::Object(m) = v {
            out.push(path.clone());
            for (k, x) in m {
                path.push(k.clone());
                object_paths(x, path, out);
                path.pop();
            }
        }
    }

    fn at_mut<'a>(v: &'a mut Value, path: &[String]) -> &'a mut serde_json::Map<String, Value> {
        let mut cur = v;
        for k in path {
            cur = cur.get_mut(k).unwrap();
        }
        cur.as_object_mut().unwrap()
    }

    /// The same on the upstream examples (positive and negative) of every vendored version and
    /// on mutations of them: each member removed, replaced by values of every type (and
    /// over-long strings, out-of-range numbers), and an unknown member added to each object.
    #[test]
    fn lite_issues_equal_value_issues_on_mutated_events() {
        let mut files = Vec::new();
        json_files(&test_data("bh-audit-schema/examples"), &mut files);
        assert!(!files.is_empty(), "examples not found");
        let replacements = [
            json!(null),
            json!(true),
            json!(0),
            json!(-1),
            json!(700),
            json!(2.5),
            json!(1e300),
            json!(""),
            json!("x"),
            json!("x".repeat(300)),
            json!("2026-02-30T10:00:00Z"),
            json!("256.1.1.1"),
            json!("FAILURE"),
            json!([]),
            json!(["a", 1]),
            json!({}),
            json!({"a": {"b": 1}}),
        ];
        let (mut compared, mut invalid) = (0, 0);
        for file in files {
            let event: Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let mut objects = Vec::new();
            object_paths(&event, &mut Vec::new(), &mut objects);
            let mut mutants = vec![event.clone()];
            for path in &objects {
                let mut extra = event.clone();
                at_mut(&mut extra, path).insert("zz_extra".into(), json!(1));
                mutants.push(extra);
                let keys: Vec<String> = at_mut(&mut event.clone(), path).keys().cloned().collect();
                for k in keys {
                    let mut removed = event.clone();
                    at_mut(&mut removed, path).shift_remove(&k);
                    mutants.push(removed);
                    for r in &replacements {
                        let mut replaced = event.clone();
                        at_mut(&mut replaced, path).insert(k.clone(), r.clone());
                        mutants.push(replaced);
                    }
                }
            }
            let declared = event["schema_version"]
                .as_str()
                .and_then(SchemaVersion::parse);
            let v = Validator::for_version(declared.unwrap()).unwrap();
            for m in &mutants {
                compared += 1;
                invalid += usize::from(lite_agrees(v, m, &file.display().to_string()));
                // And through the public entry point.
                let text = serde_json::to_string(m).unwrap();
                assert_eq!(
                    validate_str(&text, None).map_err(|e| e.to_string()),
                    validate(m, None).map_err(|e| e.to_string()),
                    "{text}"
                );
            }
        }
        println!("{invalid} of {compared} mutated events invalid");
        assert!(invalid > 10_000, "only {invalid} of {compared} invalid");
    }
}
