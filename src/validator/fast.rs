//! The compiled fast path: a boolean-only form of each node, built after compilation.
//!
//! Validation first runs this form; only an invalid instance is walked again by the
//! issue-collecting path, so the common (valid) case never renders a path or allocates.
//! Every op computes exactly the boolean of the keyword(s) it replaces.
//!
//! * `properties`, `additionalProperties`, `required` and `dependentRequired` of one
//!   subschema become one [`ObjPlan`]: a single pass over the instance's members, each
//!   name looked up in a perfect-hash [`KeyTable`], presence tracked in a 64-bit set.
//! * String `const`/`enum` compare lengths, then bytes in 8-byte words.
//! * `minLength`/`maxLength` merge into one op; the rest delegate to the keyword.

use std::borrow::Cow;

use super::compile::L;
#[cfg(feature = "compile")]
use super::compile::{Keyword, Kind, Node};
use super::format::Format;

/// The fast form of one node.
#[derive(Clone, Debug)]
pub(crate) enum Fast {
    /// A boolean schema.
    Bool(bool),
    /// A scalar check without subschemas, evaluated straight-line.
    Leaf(Leaf),
    /// All ops must hold. With each op, the keywords (bit `i` = keyword `i` of the node,
    /// for `i < 64`) that hold whenever it does: the issue-collecting path skips those of
    /// the ops that passed before the first failing one.
    Ops(L<(Op, u64)>),
}

/// `type`, `minLength`/`maxLength`, one string `const`/`enum` and `format`: the
/// keywords most audit-event properties consist of.
#[derive(Clone, Debug)]
pub(crate) struct Leaf {
    /// `type` bit set, or `None`.
    pub types: Option<u8>,
    /// `minLength` (0 when absent).
    pub min_len: u64,
    /// `maxLength` (`u64::MAX` when absent).
    pub max_len: u64,
    /// String `const`/`enum` values, or `None`.
    pub strs: Option<L<L<u8>>>,
    /// `format`, or `None`.
    pub format: Option<Format>,
}

#[cfg(feature = "compile")]
/// A node is a leaf when all its keywords are among these (at most one of each).
fn leaf(keywords: &[Keyword]) -> Option<Leaf> {
    let mut l = Leaf {
        types: None,
        min_len: 0,
        max_len: u64::MAX,
        strs: None,
        format: None,
    };
    for kw in keywords {
        match &kw.kind {
            Kind::Type(set, _) if l.types.is_none() => l.types = Some(*set),
            Kind::MinLength(n) => l.min_len = l.min_len.max(*n),
            Kind::MaxLength(n) => l.max_len = l.max_len.min(*n),
            Kind::Const(v) if l.strs.is_none() => {
                l.strs = Some(Cow::Owned(vec![bytes(v.as_str()?)]));
            }
            Kind::Enum(vs) if l.strs.is_none() => l.strs = Some(str_values(vs.iter())?),
            Kind::Format(f) if l.format.is_none() => l.format = Some(*f),
            _ => return None,
        }
    }
    Some(l)
}

/// One boolean check. (Without the runtime compiler, only the ops of the vendored schemas
/// are ever constructed.)
#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "compile"), allow(dead_code))]
pub(crate) enum Op {
    /// `type`: bit set from [`super::compile::types`].
    Type(u8),
    /// `minLength` and/or `maxLength` (code points) on strings.
    StrLen {
        /// Minimum length (0 when absent).
        min: u64,
        /// Maximum length (`u64::MAX` when absent).
        max: u64,
    },
    /// `const`/`enum` whose values are all strings: the instance must be one of them.
    StrEnum(L<L<u8>>),
    /// `format` on strings.
    Format(Format),
    /// The object keywords of the node.
    Object(Cow<'static, ObjPlan>),
    /// `$ref`.
    Ref(usize),
    /// `allOf`.
    AllOf(L<usize>),
    /// `anyOf`.
    AnyOf(L<usize>),
    /// `if` with its `then` / `else`.
    If {
        /// The `if` subschema.
        cond: usize,
        /// `then`.
        then: Option<usize>,
        /// `else`.
        otherwise: Option<usize>,
    },
    /// `items` (from index `start`).
    Items {
        /// Index of the first item checked.
        start: usize,
        /// The items subschema.
        sub: usize,
    },
    /// `maxItems`.
    MaxItems(u64),
    /// Any other keyword: index into the node's keyword list.
    Kw(usize),
}

/// What `additionalProperties` says about names outside `properties`.
#[derive(Clone, Debug)]
pub(crate) enum Additional {
    /// No `additionalProperties`: anything goes.
    Any,
    /// `additionalProperties: false`.
    Forbid,
    /// Another subschema.
    Sub(usize),
}

/// `properties` + `additionalProperties` + `required` + `dependentRequired` of one node.
#[derive(Clone, Debug)]
pub(crate) struct ObjPlan {
    /// Every name the keywords mention, indexed `0..64`.
    pub table: KeyTable,
    /// Per name index: its `properties` subschema, if it is one.
    pub props: L<Option<usize>>,
    /// Members not in `properties`.
    pub additional: Additional,
    /// Bits of the `required` names.
    pub required: u64,
    /// `dependentRequired`: (trigger bit, bits it requires).
    pub dependent: L<(u64, u64)>,
    /// Few names and no `additionalProperties`: look each name up in the instance
    /// (comparing lengths first) instead of looking each member up in the table.
    pub by_name: bool,
}

impl ObjPlan {
    /// The names, index for index.
    pub fn names(&self) -> &[L<u8>] {
        &self.table.names
    }
}

/// A name → index map for at most 64 names: a perfect hash on (length, first, middle
/// and last byte), verified with one byte comparison; a length-filtered scan when no
/// perfect hash was found.
#[derive(Clone, Debug)]
pub(crate) struct KeyTable {
    pub(crate) names: L<L<u8>>,
    /// `0` = empty, else name index + 1. Empty when the table is a scan.
    pub(crate) slots: L<u8>,
    pub(crate) seed: u32,
    pub(crate) shift: u32,
}

fn key_bits(key: &[u8]) -> u32 {
    let n = key.len();
    let at = |i: usize| u32::from(key.get(i).copied().unwrap_or(0));
    (n as u32) ^ (at(0) << 8) ^ (at(n / 2) << 16) ^ (at(n.wrapping_sub(1)) << 24)
}

impl KeyTable {
    #[cfg(feature = "compile")]
    fn new(names: Vec<L<u8>>) -> KeyTable {
        let n = names.len();
        let mut bits = 1;
        while (1usize << bits) < n * 2 {
            bits += 1;
        }
        let mut seed: u32 = 0x9E37_79B9;
        while bits <= 8 {
            for _ in 0..2000 {
                seed = seed.wrapping_mul(0x0019_660D).wrapping_add(0x3C6E_F35F) | 1;
                let shift = 32 - bits;
                let mut slots = vec![0u8; 1 << bits];
                let ok = names.iter().enumerate().all(|(i, name)| {
                    let h = (key_bits(name).wrapping_mul(seed) >> shift) as usize;
                    match slots.get_mut(h) {
                        Some(s) if *s == 0 => {
                            *s = i as u8 + 1;
                            true
                        }
                        _ => false,
                    }
                });
                if ok {
                    return KeyTable {
                        names: names.into(),
                        slots: slots.into(),
                        seed,
                        shift,
                    };
                }
            }
            bits += 1;
        }
        KeyTable {
            names: names.into(),
            slots: Cow::Borrowed(&[]),
            seed: 0,
            shift: 0,
        }
    }

    /// The index of `key`, if it is one of the names.
    #[inline]
    pub fn find(&self, key: &[u8]) -> Option<usize> {
        if self.slots.is_empty() {
            return self.names.iter().position(|n| bytes_eq(n, key));
        }
        let h = (key_bits(key).wrapping_mul(self.seed) >> self.shift) as usize;
        let i = usize::from(*self.slots.get(h)?).checked_sub(1)?;
        bytes_eq(self.names.get(i)?, key).then_some(i)
    }
}

/// Byte equality without a `memcmp` call: lengths first, then (overlapping) words.
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            if load8(a, i) != load8(b, i) {
                return false;
            }
            i += 8;
        }
        load8(a, n - 8) == load8(b, n - 8)
    } else if n >= 4 {
        load4(a, 0) == load4(b, 0) && load4(a, n - 4) == load4(b, n - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

#[inline(always)]
fn load8(s: &[u8], i: usize) -> u64 {
    s.get(i..i + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map_or(0, u64::from_le_bytes)
}

#[inline(always)]
fn load4(s: &[u8], i: usize) -> u32 {
    s.get(i..i + 4)
        .and_then(|w| <[u8; 4]>::try_from(w).ok())
        .map_or(0, u32::from_le_bytes)
}

/// A byte string of the fast form, owned.
#[cfg(feature = "compile")]
fn bytes(s: &str) -> L<u8> {
    Cow::Owned(s.as_bytes().to_vec())
}

/// Build the fast form of every node.
#[cfg(feature = "compile")]
pub(crate) fn build(nodes: &[Node]) -> Vec<Fast> {
    nodes
        .iter()
        .map(|node| match node {
            Node::Bool { value, .. } => Fast::Bool(*value),
            Node::Keywords { keywords, .. } => match leaf(keywords) {
                Some(l) => Fast::Leaf(l),
                None => Fast::Ops(ops(keywords).into()),
            },
        })
        .collect()
}

#[cfg(feature = "compile")]
fn str_values<'a>(vals: impl IntoIterator<Item = &'a super::compile::Lit>) -> Option<L<L<u8>>> {
    vals.into_iter()
        .map(|v| v.as_str().map(bytes))
        .collect::<Option<Vec<_>>>()
        .map(Cow::Owned)
}

/// Bit `i` (keyword `i` of a node), or nothing for `i >= 64`.
pub(crate) fn kw_bit(i: usize) -> u64 {
    if i < 64 {
        1 << i
    } else {
        0
    }
}

#[cfg(feature = "compile")]
fn ops(keywords: &[Keyword]) -> Vec<(Op, u64)> {
    let mut types = Vec::new();
    let mut cheap = Vec::new();
    let mut rest = Vec::new();
    let (mut min, mut max, mut has_len, mut len_bits) = (0, u64::MAX, false, 0);
    let mut obj_bits = 0;
    let plan = obj_plan(keywords);
    for (i, kw) in keywords.iter().enumerate() {
        let bit = kw_bit(i);
        match &kw.kind {
            Kind::Type(set, _) => types.push((Op::Type(*set), bit)),
            Kind::MinLength(n) => {
                min = min.max(*n);
                has_len = true;
                len_bits |= bit;
            }
            Kind::MaxLength(n) => {
                max = max.min(*n);
                has_len = true;
                len_bits |= bit;
            }
            Kind::Const(v) => match v.as_str() {
                Some(s) => cheap.push((Op::StrEnum(Cow::Owned(vec![bytes(s)])), bit)),
                None => rest.push((Op::Kw(i), bit)),
            },
            Kind::Enum(vs) => match str_values(vs.iter()) {
                Some(set) => cheap.push((Op::StrEnum(set), bit)),
                None => rest.push((Op::Kw(i), bit)),
            },
            Kind::Format(f) => cheap.push((Op::Format(*f), bit)),
            Kind::Ref(t) => rest.push((Op::Ref(*t), bit)),
            Kind::AllOf(subs) => rest.push((Op::AllOf(Cow::Owned(subs.to_vec())), bit)),
            Kind::AnyOf(subs) => rest.push((Op::AnyOf(Cow::Owned(subs.to_vec())), bit)),
            Kind::If {
                cond,
                then,
                otherwise,
            } => rest.push((
                Op::If {
                    cond: *cond,
                    then: *then,
                    otherwise: *otherwise,
                },
                bit,
            )),
            Kind::Items { start, sub } => rest.push((
                Op::Items {
                    start: *start,
                    sub: *sub,
                },
                bit,
            )),
            Kind::MaxItems(n) => cheap.push((Op::MaxItems(*n), bit)),
            Kind::Properties(_)
            | Kind::AdditionalProperties { .. }
            | Kind::Required(_)
            | Kind::DependentRequired(_)
                if plan.is_some() =>
            {
                obj_bits |= bit;
            }
            _ => rest.push((Op::Kw(i), bit)),
        }
    }
    if has_len {
        types.push((Op::StrLen { min, max }, len_bits));
    }
    types.extend(cheap);
    if let Some(p) = plan {
        types.push((Op::Object(Cow::Owned(p)), obj_bits));
    }
    types.extend(rest);
    types
}

#[cfg(feature = "compile")]
fn obj_plan(keywords: &[Keyword]) -> Option<ObjPlan> {
    let mut names: Vec<L<u8>> = Vec::new();
    let index = |name: &str, names: &mut Vec<L<u8>>| -> usize {
        match names.iter().position(|n| **n == *name.as_bytes()) {
            Some(i) => i,
            None => {
                names.push(bytes(name));
                names.len() - 1
            }
        }
    };
    let mut props: Vec<(usize, usize)> = Vec::new();
    let mut additional = Additional::Any;
    let mut required_idx: Vec<usize> = Vec::new();
    let mut dependent_idx: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut any = false;
    for kw in keywords {
        match &kw.kind {
            // Names matched by patterns are not a fixed table: use the generic path.
            Kind::PatternProperties(_) => return None,
            Kind::Properties(p) => {
                any = true;
                for (name, sub) in p.iter() {
                    props.push((index(name, &mut names), *sub));
                }
            }
            Kind::AdditionalProperties { sub, forbid, .. } => {
                any = true;
                additional = if *forbid {
                    Additional::Forbid
                } else {
                    Additional::Sub(*sub)
                };
            }
            Kind::Required(r) => {
                any = true;
                for name in r.iter() {
                    required_idx.push(index(name, &mut names));
                }
            }
            Kind::DependentRequired(deps) => {
                any = true;
                for (trigger, req) in deps.iter() {
                    let t = index(trigger, &mut names);
                    let r = req.iter().map(|n| index(n, &mut names)).collect();
                    dependent_idx.push((t, r));
                }
            }
            _ => {}
        }
    }
    if !any || names.len() > 64 {
        return None;
    }
    let bit = |i: usize| 1u64 << i;
    let mut prop_of = vec![None; names.len()];
    for (i, sub) in props {
        if let Some(slot) = prop_of.get_mut(i) {
            *slot = Some(sub);
        }
    }
    let by_name = matches!(additional, Additional::Any) && names.len() <= 4;
    Some(ObjPlan {
        by_name,
        table: KeyTable::new(names),
        props: prop_of.into(),
        additional,
        required: required_idx.into_iter().fold(0, |m, i| m | bit(i)),
        dependent: dependent_idx
            .into_iter()
            .map(|(t, r)| (bit(t), r.into_iter().fold(0, |m, i| m | bit(i))))
            .collect::<Vec<_>>()
            .into(),
    })
}
