//! Writes `precompiled.rs`: the vendored schemas, compiled by [`Validator::compile`], as
//! Rust static data (every list and string borrowed, nothing built at run time).
//!
//! The test `precompiled_schemas_are_current` compares the file with what this writes now
//! (and the static validators with freshly compiled ones); `BH_REGEN=1 cargo test
//! --lib precompiled_schemas_are_current` rewrites it.

use std::fmt::Write;

use super::compile::{Keyword, Kind, Lit, Node, Num, L};
use super::fast::{Additional, Fast, KeyTable, Leaf, ObjPlan, Op};
use super::{SchemaVersion, Validator};

/// A value as a Rust expression of the types `precompiled.rs` imports.
trait Rs {
    fn rs(&self, o: &mut String);
}

impl Rs for str {
    fn rs(&self, o: &mut String) {
        let _ = write!(o, "B({self:?})");
    }
}

impl Rs for usize {
    fn rs(&self, o: &mut String) {
        let _ = write!(o, "{self}");
    }
}

impl Rs for u64 {
    fn rs(&self, o: &mut String) {
        let _ = write!(o, "{self}");
    }
}

impl Rs for u8 {
    fn rs(&self, o: &mut String) {
        let _ = write!(o, "{self}");
    }
}

/// Byte strings (names and string values, all UTF-8) as `B(&[B(b"..."), ...])`.
struct ByteStrs<'a>(&'a [L<u8>]);

impl Rs for ByteStrs<'_> {
    fn rs(&self, o: &mut String) {
        o.push_str("B(&[");
        for (i, x) in self.0.iter().enumerate() {
            if i > 0 {
                o.push_str(", ");
            }
            let text = std::str::from_utf8(x).expect("names are UTF-8");
            let _ = write!(o, "B(b{text:?})");
        }
        o.push_str("])");
    }
}

impl<T: Rs + ?Sized> Rs for std::borrow::Cow<'static, T>
where
    T: ToOwned,
{
    fn rs(&self, o: &mut String) {
        (**self).rs(o);
    }
}

impl<T: Rs> Rs for [T] {
    fn rs(&self, o: &mut String) {
        o.push_str("B(&[");
        for (i, x) in self.iter().enumerate() {
            if i > 0 {
                o.push_str(", ");
            }
            x.rs(o);
        }
        o.push_str("])");
    }
}

impl<T: Rs> Rs for Option<T> {
    fn rs(&self, o: &mut String) {
        match self {
            None => o.push_str("None"),
            Some(x) => {
                o.push_str("Some(");
                x.rs(o);
                o.push(')');
            }
        }
    }
}

impl<A: Rs, C: Rs> Rs for (A, C) {
    fn rs(&self, o: &mut String) {
        o.push('(');
        self.0.rs(o);
        o.push_str(", ");
        self.1.rs(o);
        o.push(')');
    }
}

impl Rs for Num {
    fn rs(&self, o: &mut String) {
        let _ = match self {
            Num::U(u) => write!(o, "Num::U({u})"),
            Num::I(i) => write!(o, "Num::I({i})"),
            Num::F(f) => write!(o, "Num::F({f:?})"),
        };
    }
}

impl Rs for Lit {
    fn rs(&self, o: &mut String) {
        match self {
            Lit::Str(s) => {
                o.push_str("Lit::Str(");
                s.rs(o);
                o.push(')');
            }
            Lit::Json(v) => panic!("a vendored schema's const/enum value is not a string: {v}"),
        }
    }
}

impl Rs for Node {
    fn rs(&self, o: &mut String) {
        match self {
            Node::Bool { value, path } => {
                let _ = write!(o, "Node::Bool {{ value: {value}, path: ");
                path.rs(o);
                o.push_str(" }");
            }
            Node::Keywords { keywords, path } => {
                o.push_str("Node::Keywords { keywords: ");
                keywords.rs(o);
                o.push_str(", path: ");
                path.rs(o);
                o.push_str(" }");
            }
        }
    }
}

impl Rs for Keyword {
    fn rs(&self, o: &mut String) {
        o.push_str("Keyword { kind: ");
        self.kind.rs(o);
        o.push_str(" }");
    }
}

/// `Kind::Name(inner)`.
fn tuple(o: &mut String, name: &str, inner: &dyn Rs) {
    let _ = write!(o, "{name}(");
    inner.rs(o);
    o.push(')');
}

impl Rs for Kind {
    fn rs(&self, o: &mut String) {
        match self {
            Kind::Type(t, names) => {
                let _ = write!(o, "Kind::Type({t}, ");
                names.rs(o);
                o.push(')');
            }
            Kind::Const(v) => tuple(o, "Kind::Const", v),
            Kind::Enum(v) => tuple(o, "Kind::Enum", v),
            Kind::Properties(v) => tuple(o, "Kind::Properties", v),
            Kind::AdditionalProperties {
                sub,
                known,
                forbid,
                patterns,
            } => {
                assert!(patterns.is_empty(), "vendored schemas use no patterns");
                let _ = write!(o, "Kind::AdditionalProperties {{ sub: {sub}, known: ");
                known.rs(o);
                let _ = write!(o, ", forbid: {forbid}, patterns: B(&[]) }}");
            }
            Kind::Pattern(_) | Kind::PatternProperties(_) => {
                panic!("vendored schemas use no patterns")
            }
            Kind::Required(v) => tuple(o, "Kind::Required", v),
            Kind::MinLength(n) => tuple(o, "Kind::MinLength", n),
            Kind::MaxLength(n) => tuple(o, "Kind::MaxLength", n),
            Kind::Minimum(n) => tuple(o, "Kind::Minimum", n),
            Kind::Maximum(n) => tuple(o, "Kind::Maximum", n),
            Kind::ExclusiveMinimum(n) => tuple(o, "Kind::ExclusiveMinimum", n),
            Kind::ExclusiveMaximum(n) => tuple(o, "Kind::ExclusiveMaximum", n),
            Kind::MultipleOf(n) => tuple(o, "Kind::MultipleOf", n),
            Kind::MinProperties(n) => tuple(o, "Kind::MinProperties", n),
            Kind::MaxProperties(n) => tuple(o, "Kind::MaxProperties", n),
            Kind::PrefixItems(v) => tuple(o, "Kind::PrefixItems", v),
            Kind::Items { start, sub } => {
                let _ = write!(o, "Kind::Items {{ start: {start}, sub: {sub} }}");
            }
            Kind::MinItems(n) => tuple(o, "Kind::MinItems", n),
            Kind::MaxItems(n) => tuple(o, "Kind::MaxItems", n),
            Kind::UniqueItems => o.push_str("Kind::UniqueItems"),
            Kind::Contains { sub, min, max } => {
                let _ = write!(
                    o,
                    "Kind::Contains {{ sub: {sub}, min: {min}, max: {max:?} }}"
                );
            }
            Kind::AllOf(v) => tuple(o, "Kind::AllOf", v),
            Kind::AnyOf(v) => tuple(o, "Kind::AnyOf", v),
            Kind::OneOf(v) => tuple(o, "Kind::OneOf", v),
            Kind::Not(n) => tuple(o, "Kind::Not", n),
            Kind::If {
                cond,
                then,
                otherwise,
            } => {
                let _ = write!(
                    o,
                    "Kind::If {{ cond: {cond}, then: {then:?}, otherwise: {otherwise:?} }}"
                );
            }
            Kind::DependentRequired(v) => tuple(o, "Kind::DependentRequired", v),
            Kind::DependentSchemas(v) => tuple(o, "Kind::DependentSchemas", v),
            Kind::PropertyNames(n) => tuple(o, "Kind::PropertyNames", n),
            Kind::Ref(n) => tuple(o, "Kind::Ref", n),
            Kind::Format(f) => {
                let _ = write!(o, "Kind::Format(Format::{f:?})");
            }
        }
    }
}

impl Rs for Fast {
    fn rs(&self, o: &mut String) {
        match self {
            Fast::Bool(b) => {
                let _ = write!(o, "Fast::Bool({b})");
            }
            Fast::Leaf(l) => tuple(o, "Fast::Leaf", l),
            Fast::Ops(ops) => tuple(o, "Fast::Ops", ops),
        }
    }
}

impl Rs for Leaf {
    fn rs(&self, o: &mut String) {
        let _ = write!(
            o,
            "Leaf {{ types: {:?}, min_len: {}, max_len: {}, strs: ",
            self.types, self.min_len, self.max_len
        );
        self.strs.as_deref().map(ByteStrs).rs(o);
        let _ = match self.format {
            Some(f) => write!(o, ", format: Some(Format::{f:?}) }}"),
            None => write!(o, ", format: None }}"),
        };
    }
}

impl Rs for Op {
    fn rs(&self, o: &mut String) {
        match self {
            Op::Type(t) => tuple(o, "Op::Type", t),
            Op::StrLen { min, max } => {
                let _ = write!(o, "Op::StrLen {{ min: {min}, max: {max} }}");
            }
            Op::StrEnum(v) => tuple(o, "Op::StrEnum", &ByteStrs(v)),
            Op::Format(f) => {
                let _ = write!(o, "Op::Format(Format::{f:?})");
            }
            Op::Object(p) => {
                o.push_str("Op::Object(B(&");
                p.rs(o);
                o.push_str("))");
            }
            Op::Ref(n) => tuple(o, "Op::Ref", n),
            Op::AllOf(v) => tuple(o, "Op::AllOf", v),
            Op::AnyOf(v) => tuple(o, "Op::AnyOf", v),
            Op::If {
                cond,
                then,
                otherwise,
            } => {
                let _ = write!(
                    o,
                    "Op::If {{ cond: {cond}, then: {then:?}, otherwise: {otherwise:?} }}"
                );
            }
            Op::Items { start, sub } => {
                let _ = write!(o, "Op::Items {{ start: {start}, sub: {sub} }}");
            }
            Op::MaxItems(n) => tuple(o, "Op::MaxItems", n),
            Op::Kw(n) => tuple(o, "Op::Kw", n),
        }
    }
}

impl Rs for ObjPlan {
    fn rs(&self, o: &mut String) {
        o.push_str("ObjPlan { table: ");
        self.table.rs(o);
        o.push_str(", props: ");
        self.props.rs(o);
        o.push_str(", additional: ");
        let _ = match self.additional {
            Additional::Any => write!(o, "Additional::Any"),
            Additional::Forbid => write!(o, "Additional::Forbid"),
            Additional::Sub(n) => write!(o, "Additional::Sub({n})"),
        };
        let _ = write!(o, ", required: {}, dependent: ", self.required);
        self.dependent.rs(o);
        let _ = write!(o, ", by_name: {} }}", self.by_name);
    }
}

impl Rs for KeyTable {
    fn rs(&self, o: &mut String) {
        o.push_str("KeyTable { names: ");
        ByteStrs(&self.names).rs(o);
        o.push_str(", slots: ");
        self.slots.rs(o);
        let _ = write!(o, ", seed: {}, shift: {} }}", self.seed, self.shift);
    }
}

/// A list with one element a line.
fn lines<T: Rs>(o: &mut String, items: &[T]) {
    o.push_str("B(&[\n");
    for x in items {
        o.push_str("        ");
        x.rs(o);
        o.push_str(",\n");
    }
    o.push_str("    ]),");
}

/// The text of `precompiled.rs` for the validators of every vendored version.
pub(super) fn precompiled(compiled: &[(SchemaVersion, Validator)]) -> String {
    let mut o = String::from(
        "// @generated by src/validator/codegen.rs from the vendored schemas (schema/*/\n\
         // audit_event.schema.json, compiled by `Validator::compile`); do not edit. Regenerate:\n\
         // BH_REGEN=1 cargo test --lib precompiled_schemas_are_current\n\
         #![allow(clippy::all)]\n\
         use std::borrow::Cow::Borrowed as B;\n\n\
         use super::compile::{Keyword, Kind, Lit, Node, Num};\n\
         use super::fast::{Additional, Fast, KeyTable, Leaf, ObjPlan, Op};\n\
         use super::format::Format;\n\
         use super::Validator;\n",
    );
    for (version, v) in compiled {
        let name = format!("V{}", version.as_str().replace('.', "_"));
        let _ = write!(
            o,
            "\n/// bh-audit-schema {version}.\npub(super) static {name}: Validator = Validator {{\n    nodes: "
        );
        lines(&mut o, &v.nodes);
        o.push_str("\n    fast: ");
        lines(&mut o, &v.fast);
        o.push_str("\n    rules: ");
        lines(&mut o, &v.rules);
        o.push_str("\n};\n");
    }
    o
}
