//! A small, linear-time regular-expression engine for the JSON Schema `pattern` and
//! `patternProperties` keywords.
//!
//! The dialect is the ECMA-262 one with the `u` flag (code points, not UTF-16 units, and the
//! strict Unicode-mode syntax), restricted to what can be decided without backtracking:
//!
//! * literals and the escapes `\t \n \r \f \v \0 \cX \xHH \uHHHH \u{H…}` (a surrogate pair
//!   written as two `\uHHHH` escapes is one code point) and the identity escapes of the
//!   syntax characters `^ $ \ . * + ? ( ) [ ] { } |`, `/`, and `-` inside a class;
//! * `.` (any code point but the line terminators `\n \r \u2028 \u2029`), `^` and `$`
//!   (input start and end; there is no multiline flag), `\b` and `\B` (ASCII word boundary);
//! * classes `[...]` / `[^...]` with ranges and escapes, and `\d \D \w \W \s \S` with their
//!   ECMA meanings (ASCII digits, ASCII word characters, ECMA WhiteSpace + LineTerminator);
//! * `\p{…}` / `\P{…}` for the binary properties Rust's `char` decides exactly:
//!   `Alphabetic`/`Alpha`, `Lowercase`/`Lower`, `Uppercase`/`Upper`, `White_Space`/`space`,
//!   `ASCII`, `ASCII_Hex_Digit`/`AHex`, `Any`, and `L`/`Letter` (general category, from the
//!   Unicode tables generated from CPython);
//! * groups `( )`, `(?: )`, `(?<name> )`, alternation `|`, and the quantifiers
//!   `* + ? {n} {n,} {n,m}` and their lazy forms (laziness cannot change whether a match
//!   exists, so lazy quantifiers are compiled like greedy ones).
//!
//! Everything else is refused by [`Regex::new`] with an error naming the construct:
//! lookahead and lookbehind, backreferences, general-category and script properties such
//! as `\p{L}` (Rust has no exact way to decide them), lone surrogates, and syntax errors.
//!
//! Matching is a Thompson-NFA simulation (a Pike VM without captures): the set of live
//! states is advanced one code point at a time, so [`Regex::is_match`] takes
//! O(len(text) × size(program)) time and never backtracks. Hostile patterns are bounded at
//! compile time: group nesting is capped at [`MAX_NESTING`] and the compiled program at
//! [`MAX_PROGRAM`] instructions (counted repetition `{n,m}` is expanded by copying).

use std::fmt;

/// Deepest group nesting [`Regex::new`] accepts.
pub const MAX_NESTING: usize = 64;
/// Largest compiled program (in NFA instructions) [`Regex::new`] accepts.
pub const MAX_PROGRAM: usize = 10_000;
/// Largest repetition count accepted in `{n}`, `{n,}` and `{n,m}`.
const MAX_COUNT: u32 = 10_000;
/// Cap on compiler steps, so that repetitions of empty sub-patterns (which emit no
/// instructions and therefore never hit [`MAX_PROGRAM`]) cannot make compilation slow.
const MAX_WORK: usize = 200_000;

type Res<T> = Result<T, String>;

fn unsupported<T>(what: &str) -> Res<T> {
    Err(format!("unsupported regular expression construct: {what}"))
}

fn invalid<T>(what: &str) -> Res<T> {
    Err(format!("invalid regular expression: {what}"))
}

// ---------------------------------------------------------------------------------------
// Character sets
// ---------------------------------------------------------------------------------------

const DIGIT: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
/// ECMA-262 WhiteSpace (TAB, VT, FF, ZWNBSP, Zs) and LineTerminator (LF, CR, LS, PS).
const SPACE: &[(char, char)] = &[
    ('\t', '\r'),
    (' ', ' '),
    ('\u{a0}', '\u{a0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200a}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202f}', '\u{202f}'),
    ('\u{205f}', '\u{205f}'),
    ('\u{3000}', '\u{3000}'),
    ('\u{feff}', '\u{feff}'),
];

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The code point after `c`, skipping the surrogate gap.
fn next_char(c: char) -> Option<char> {
    match c {
        '\u{d7ff}' => Some('\u{e000}'),
        _ => char::from_u32(u32::from(c) + 1),
    }
}

/// The code point before `c`, skipping the surrogate gap.
fn prev_char(c: char) -> Option<char> {
    match c {
        '\u{e000}' => Some('\u{d7ff}'),
        _ => u32::from(c).checked_sub(1).and_then(char::from_u32),
    }
}

/// A Unicode binary property that Rust's `char` methods decide exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prop {
    Any,
    Ascii,
    AsciiHexDigit,
    Alphabetic,
    /// General category L (from the generated Unicode tables).
    Letter,
    Lowercase,
    Uppercase,
    WhiteSpace,
}

impl Prop {
    fn from_name(name: &str) -> Option<Prop> {
        Some(match name {
            "Any" => Prop::Any,
            "ASCII" => Prop::Ascii,
            "ASCII_Hex_Digit" | "AHex" => Prop::AsciiHexDigit,
            "Alphabetic" | "Alpha" => Prop::Alphabetic,
            "L" | "Letter" | "General_Category=Letter" | "gc=L" => Prop::Letter,
            "Lowercase" | "Lower" => Prop::Lowercase,
            "Uppercase" | "Upper" => Prop::Uppercase,
            "White_Space" | "space" => Prop::WhiteSpace,
            _ => return None,
        })
    }

    fn matches(self, c: char) -> bool {
        match self {
            Prop::Any => true,
            Prop::Ascii => c.is_ascii(),
            Prop::AsciiHexDigit => c.is_ascii_hexdigit(),
            Prop::Alphabetic => c.is_alphabetic(),
            Prop::Letter => crate::sanitize::is_letter(c),
            Prop::Lowercase => c.is_lowercase(),
            Prop::Uppercase => c.is_uppercase(),
            Prop::WhiteSpace => c.is_whitespace(),
        }
    }
}

/// A set of code points: sorted, merged ranges plus (possibly negated) properties.
#[derive(Clone, Debug, Default)]
struct CharSet {
    ranges: Vec<(char, char)>,
    props: Vec<(Prop, bool)>,
    negated: bool,
}

impl CharSet {
    fn add_range(&mut self, lo: char, hi: char) {
        self.ranges.push((lo, hi));
    }

    fn add_item(&mut self, item: ClassItem) {
        match item {
            ClassItem::Ranges(ranges, false) => self.ranges.extend_from_slice(ranges),
            ClassItem::Ranges(ranges, true) => {
                // `ranges` is sorted and disjoint: emit the gaps between them.
                let mut from = Some('\0');
                for &(lo, hi) in ranges {
                    if let (Some(start), Some(end)) = (from, prev_char(lo)) {
                        if start <= end {
                            self.ranges.push((start, end));
                        }
                    }
                    from = next_char(hi);
                }
                if let Some(start) = from {
                    self.ranges.push((start, char::MAX));
                }
            }
            ClassItem::Prop(prop, negated) => self.props.push((prop, negated)),
        }
    }

    /// Sorts and merges the ranges (needed by the binary search in [`CharSet::matches`]).
    fn finish(mut self) -> CharSet {
        crate::json::sort::sort_by(&mut self.ranges, |a, b| a.cmp(b));
        let mut merged: Vec<(char, char)> = Vec::with_capacity(self.ranges.len());
        for (lo, hi) in self.ranges.drain(..) {
            match merged.last_mut() {
                Some(last) if next_char(last.1).map_or(true, |n| lo <= n) => {
                    if hi > last.1 {
                        last.1 = hi;
                    }
                }
                _ => merged.push((lo, hi)),
            }
        }
        self.ranges = merged;
        self
    }

    fn matches(&self, c: char) -> bool {
        let i = self.ranges.partition_point(|&(lo, _)| lo <= c);
        let in_ranges = i
            .checked_sub(1)
            .and_then(|i| self.ranges.get(i))
            .is_some_and(|&(_, hi)| c <= hi);
        let hit = in_ranges || self.props.iter().any(|&(p, neg)| p.matches(c) != neg);
        hit != self.negated
    }
}

/// One element of a class that is not a single character: `\d`, `\W`, `\p{…}`, …
#[derive(Clone, Copy, Debug)]
enum ClassItem {
    /// Sorted, disjoint ranges; `true` = complemented.
    Ranges(&'static [(char, char)], bool),
    /// A property; `true` = complemented.
    Prop(Prop, bool),
}

// ---------------------------------------------------------------------------------------
// Syntax tree and parser
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Look {
    Start,
    End,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Debug)]
enum Node {
    Empty,
    Lit(char),
    Dot,
    Set(usize),
    Look(Look),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

enum ClassAtom {
    Char(char),
    Item(ClassItem),
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
    sets: Vec<CharSet>,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn add_set(&mut self, set: CharSet) -> Node {
        self.sets.push(set.finish());
        Node::Set(self.sets.len() - 1)
    }

    fn parse_disjunction(&mut self) -> Res<Node> {
        let mut alts = vec![self.parse_alternative()?];
        while self.eat('|') {
            alts.push(self.parse_alternative()?);
        }
        Ok(match alts.pop() {
            Some(only) if alts.is_empty() => only,
            Some(last) => {
                alts.push(last);
                Node::Alt(alts)
            }
            None => Node::Empty,
        })
    }

    fn parse_alternative(&mut self) -> Res<Node> {
        let mut items = Vec::new();
        while !matches!(self.peek(), None | Some('|') | Some(')')) {
            items.push(self.parse_term()?);
        }
        Ok(match items.pop() {
            None => Node::Empty,
            Some(only) if items.is_empty() => only,
            Some(last) => {
                items.push(last);
                Node::Concat(items)
            }
        })
    }

    fn parse_term(&mut self) -> Res<Node> {
        let Some(c) = self.bump() else {
            return invalid("unexpected end of pattern");
        };
        let (atom, quantifiable) = match c {
            '^' => (Node::Look(Look::Start), false),
            '$' => (Node::Look(Look::End), false),
            '.' => (Node::Dot, true),
            '(' => (self.parse_group()?, true),
            '[' => (self.parse_class()?, true),
            '\\' => match self.peek() {
                Some('b') => {
                    self.pos += 1;
                    (Node::Look(Look::WordBoundary), false)
                }
                Some('B') => {
                    self.pos += 1;
                    (Node::Look(Look::NotWordBoundary), false)
                }
                _ => (self.parse_atom_escape()?, true),
            },
            '*' | '+' | '?' => return invalid(&format!("nothing to repeat before `{c}`")),
            '{' => return invalid("lone `{` (escape it as `\\{`)"),
            '}' => return invalid("lone `}` (escape it as `\\}`)"),
            ']' => return invalid("lone `]` (escape it as `\\]`)"),
            _ => (Node::Lit(c), true),
        };
        match self.parse_quantifier()? {
            None => Ok(atom),
            Some(_) if !quantifiable => invalid("quantifier after an assertion"),
            Some((min, max)) => Ok(Node::Repeat {
                node: Box::new(atom),
                min,
                max,
            }),
        }
    }

    fn parse_quantifier(&mut self) -> Res<Option<(u32, Option<u32>)>> {
        let q = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.pos += 1;
                let min = self.parse_count()?;
                let max = if self.eat(',') {
                    if self.peek() == Some('}') {
                        None
                    } else {
                        Some(self.parse_count()?)
                    }
                } else {
                    Some(min)
                };
                if self.peek() != Some('}') {
                    return invalid("malformed `{n,m}` quantifier");
                }
                if max.is_some_and(|max| max < min) {
                    return invalid("numbers out of order in `{n,m}` quantifier");
                }
                (min, max)
            }
            _ => return Ok(None),
        };
        self.pos += 1;
        // Lazy form: same match/no-match result as the greedy one.
        self.eat('?');
        Ok(Some(q))
    }

    fn parse_count(&mut self) -> Res<u32> {
        let mut n: u32 = 0;
        let mut digits = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            self.pos += 1;
            digits += 1;
            n = n.saturating_mul(10).saturating_add(d);
        }
        if digits == 0 {
            return invalid("malformed `{n,m}` quantifier (lone `{`?)");
        }
        if n > MAX_COUNT {
            return unsupported(&format!("repetition count above {MAX_COUNT}"));
        }
        Ok(n)
    }

    fn parse_group(&mut self) -> Res<Node> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return unsupported(&format!("group nesting deeper than {MAX_NESTING}"));
        }
        if self.eat('?') {
            match self.bump() {
                Some(':') => {}
                Some('=') => return unsupported("lookahead `(?=...)`"),
                Some('!') => return unsupported("negative lookahead `(?!...)`"),
                Some('<') => match self.peek() {
                    Some('=') => return unsupported("lookbehind `(?<=...)`"),
                    Some('!') => return unsupported("negative lookbehind `(?<!...)`"),
                    _ => self.parse_group_name()?,
                },
                _ => return unsupported("group modifier `(?...)`"),
            }
        }
        let node = self.parse_disjunction()?;
        if !self.eat(')') {
            return invalid("missing `)`");
        }
        self.depth -= 1;
        Ok(node)
    }

    fn parse_group_name(&mut self) -> Res<()> {
        let mut len = 0;
        loop {
            match self.bump() {
                Some('>') if len > 0 => return Ok(()),
                Some(c) if c == '$' || c == '_' || c.is_alphabetic() => {}
                Some(c) if len > 0 && c.is_alphanumeric() => {}
                _ => return invalid("malformed group name in `(?<name>...)`"),
            }
            len += 1;
        }
    }

    /// After a `\` outside a class (`\b` and `\B` are handled by the caller).
    fn parse_atom_escape(&mut self) -> Res<Node> {
        let Some(c) = self.bump() else {
            return invalid("`\\` at end of pattern");
        };
        if let Some(item) = self.class_escape(c)? {
            let mut set = CharSet::default();
            set.add_item(item);
            return Ok(self.add_set(set));
        }
        match c {
            '1'..='9' => unsupported(&format!("backreference `\\{c}`")),
            'k' => unsupported("named backreference `\\k<...>`"),
            _ => Ok(Node::Lit(self.char_escape(c, false)?)),
        }
    }

    /// `\d \D \w \W \s \S \p{…} \P{…}` (after the `\`); `None` for other escapes.
    fn class_escape(&mut self, c: char) -> Res<Option<ClassItem>> {
        Ok(Some(match c {
            'd' => ClassItem::Ranges(DIGIT, false),
            'D' => ClassItem::Ranges(DIGIT, true),
            'w' => ClassItem::Ranges(WORD, false),
            'W' => ClassItem::Ranges(WORD, true),
            's' => ClassItem::Ranges(SPACE, false),
            'S' => ClassItem::Ranges(SPACE, true),
            'p' | 'P' => ClassItem::Prop(self.parse_property()?, c == 'P'),
            _ => return Ok(None),
        }))
    }

    fn parse_property(&mut self) -> Res<Prop> {
        if !self.eat('{') {
            return invalid("`\\p` must be followed by `{name}`");
        }
        let mut name = String::new();
        loop {
            match self.bump() {
                Some('}') => break,
                Some(c) if c.is_ascii_alphanumeric() || c == '_' || c == '=' => name.push(c),
                _ => return invalid("malformed `\\p{...}`"),
            }
        }
        match Prop::from_name(&name) {
            Some(prop) => Ok(prop),
            None => unsupported(&format!(
                "`\\p{{{name}}}` (only Letter, Alphabetic, Lowercase, Uppercase, White_Space, \
                 ASCII, ASCII_Hex_Digit and Any are supported)"
            )),
        }
    }

    /// A CharacterEscape (after the `\`), in Unicode mode.
    fn char_escape(&mut self, c: char, in_class: bool) -> Res<char> {
        Ok(match c {
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            'f' => '\u{c}',
            'v' => '\u{b}',
            '0' => {
                if self.peek().is_some_and(|d| d.is_ascii_digit()) {
                    return unsupported("octal escape");
                }
                '\0'
            }
            'c' => match self.peek() {
                Some(l) if l.is_ascii_alphabetic() => {
                    self.pos += 1;
                    char::from_u32(u32::from(l) % 32).unwrap_or('\0')
                }
                _ => return invalid("`\\c` must be followed by an ASCII letter"),
            },
            'x' => {
                let v = self.hex_digits(2)?;
                char::from_u32(v).unwrap_or('\0')
            }
            'u' => self.unicode_escape()?,
            '^' | '$' | '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|'
            | '/' => c,
            '-' if in_class => '-',
            _ => return invalid(&format!("unknown escape `\\{c}`")),
        })
    }

    fn hex_digits(&mut self, n: usize) -> Res<u32> {
        let mut v = 0;
        for _ in 0..n {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    self.pos += 1;
                    v = v * 16 + d;
                }
                None => return invalid("malformed `\\x` or `\\u` escape"),
            }
        }
        Ok(v)
    }

    /// After `\u`: `HHHH`, a surrogate pair `HHHH\uHHHH`, or `{H…}`.
    fn unicode_escape(&mut self) -> Res<char> {
        if self.eat('{') {
            let mut v: u32 = 0;
            let mut digits = 0;
            while let Some(d) = self.peek().and_then(|c| c.to_digit(16)) {
                self.pos += 1;
                digits += 1;
                v = v.saturating_mul(16).saturating_add(d);
            }
            if digits == 0 || !self.eat('}') {
                return invalid("malformed `\\u{...}` escape");
            }
            if v > 0x10ffff {
                return invalid("`\\u{...}` escape above U+10FFFF");
            }
            return match char::from_u32(v) {
                Some(c) => Ok(c),
                None => unsupported("lone surrogate escape"),
            };
        }
        let hi = self.hex_digits(4)?;
        if (0xd800..0xdc00).contains(&hi)
            && self.peek() == Some('\\')
            && self.peek_at(1) == Some('u')
        {
            let save = self.pos;
            self.pos += 2;
            match self.hex_digits(4) {
                Ok(lo) if (0xdc00..0xe000).contains(&lo) => {
                    let v = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                    if let Some(c) = char::from_u32(v) {
                        return Ok(c);
                    }
                }
                _ => {}
            }
            self.pos = save;
        }
        match char::from_u32(hi) {
            Some(c) => Ok(c),
            None => unsupported("lone surrogate escape"),
        }
    }

    /// After `[`.
    fn parse_class(&mut self) -> Res<Node> {
        let mut set = CharSet {
            negated: self.eat('^'),
            ..CharSet::default()
        };
        loop {
            if self.eat(']') {
                break;
            }
            let first = self.parse_class_atom()?;
            let is_range = self.peek() == Some('-') && !matches!(self.peek_at(1), None | Some(']'));
            if !is_range {
                match first {
                    ClassAtom::Char(c) => set.add_range(c, c),
                    ClassAtom::Item(item) => set.add_item(item),
                }
                continue;
            }
            self.pos += 1;
            let last = self.parse_class_atom()?;
            match (first, last) {
                (ClassAtom::Char(lo), ClassAtom::Char(hi)) if lo <= hi => set.add_range(lo, hi),
                (ClassAtom::Char(_), ClassAtom::Char(_)) => {
                    return invalid("range out of order in character class")
                }
                _ => return invalid("character class escape used as a range bound"),
            }
        }
        Ok(self.add_set(set))
    }

    fn parse_class_atom(&mut self) -> Res<ClassAtom> {
        match self.bump() {
            None => invalid("missing `]`"),
            Some('\\') => {
                let Some(c) = self.bump() else {
                    return invalid("missing `]`");
                };
                if let Some(item) = self.class_escape(c)? {
                    return Ok(ClassAtom::Item(item));
                }
                match c {
                    'b' => Ok(ClassAtom::Char('\u{8}')),
                    '1'..='9' => unsupported(&format!("backreference `\\{c}`")),
                    _ => Ok(ClassAtom::Char(self.char_escape(c, true)?)),
                }
            }
            Some(c) => Ok(ClassAtom::Char(c)),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Compiler
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inst {
    Char(char),
    Any,
    Set(usize),
    Look(Look),
    Split(usize, usize),
    Jmp(usize),
    Match,
}

struct Compiler {
    prog: Vec<Inst>,
    work: usize,
}

impl Compiler {
    fn push(&mut self, inst: Inst) -> Res<usize> {
        if self.prog.len() >= MAX_PROGRAM {
            return unsupported(&format!(
                "pattern too large (more than {MAX_PROGRAM} NFA instructions)"
            ));
        }
        self.prog.push(inst);
        Ok(self.prog.len() - 1)
    }

    fn patch(&mut self, at: usize, inst: Inst) {
        if let Some(slot) = self.prog.get_mut(at) {
            *slot = inst;
        }
    }

    fn emit(&mut self, node: &Node) -> Res<()> {
        self.work += 1;
        if self.work > MAX_WORK {
            return unsupported("pattern too complex (repetition of empty sub-patterns)");
        }
        match node {
            Node::Empty => {}
            Node::Lit(c) => {
                self.push(Inst::Char(*c))?;
            }
            Node::Dot => {
                self.push(Inst::Any)?;
            }
            Node::Set(i) => {
                self.push(Inst::Set(*i))?;
            }
            Node::Look(l) => {
                self.push(Inst::Look(*l))?;
            }
            Node::Concat(items) => {
                for item in items {
                    self.emit(item)?;
                }
            }
            Node::Alt(alts) => {
                let mut jumps = Vec::new();
                let mut rest = alts.iter().peekable();
                while let Some(alt) = rest.next() {
                    if rest.peek().is_none() {
                        self.emit(alt)?;
                        break;
                    }
                    let split = self.push(Inst::Split(0, 0))?;
                    self.emit(alt)?;
                    jumps.push(self.push(Inst::Jmp(0))?);
                    self.patch(split, Inst::Split(split + 1, self.prog.len()));
                }
                let end = self.prog.len();
                for j in jumps {
                    self.patch(j, Inst::Jmp(end));
                }
            }
            Node::Repeat { node, min, max } => {
                for _ in 0..*min {
                    self.emit(node)?;
                }
                match max {
                    None => {
                        let split = self.push(Inst::Split(0, 0))?;
                        self.emit(node)?;
                        self.push(Inst::Jmp(split))?;
                        self.patch(split, Inst::Split(split + 1, self.prog.len()));
                    }
                    Some(max) => {
                        for _ in *min..*max {
                            let split = self.push(Inst::Split(0, 0))?;
                            self.emit(node)?;
                            self.patch(split, Inst::Split(split + 1, self.prog.len()));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Public API and matcher
// ---------------------------------------------------------------------------------------

/// A compiled pattern. Search semantics: ECMA-262 `RegExp.prototype.test` with the `u` flag
/// and WITHOUT anchoring (JSON Schema patterns are not implicitly anchored; `^`/`$` anchor
/// explicitly). See the [module documentation](self) for the supported syntax.
#[derive(Clone)]
pub struct Regex {
    source: String,
    prog: Vec<Inst>,
    sets: Vec<CharSet>,
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Regex").field(&self.source).finish()
    }
}

impl Regex {
    /// Compiles `pattern`. The error names the unsupported construct or the syntax error;
    /// this never panics, and refuses patterns nested deeper than [`MAX_NESTING`] groups or
    /// compiling to more than [`MAX_PROGRAM`] instructions.
    pub fn new(pattern: &str) -> Result<Regex, String> {
        let mut parser = Parser {
            chars: pattern.chars().collect(),
            pos: 0,
            depth: 0,
            sets: Vec::new(),
        };
        let root = parser.parse_disjunction()?;
        if parser.peek().is_some() {
            return invalid("unmatched `)`");
        }
        let mut compiler = Compiler {
            prog: Vec::new(),
            work: 0,
        };
        compiler.emit(&root)?;
        compiler.push(Inst::Match)?;
        Ok(Regex {
            source: pattern.to_owned(),
            prog: compiler.prog,
            sets: parser.sets,
        })
    }

    /// The pattern this was compiled from.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern matches anywhere in `text` (`RegExp.prototype.test`).
    /// Runs in O(len(text) × size(program)) time.
    pub fn is_match(&self, text: &str) -> bool {
        let mut run = Run {
            regex: self,
            marks: vec![0; self.prog.len()],
            generation: 1,
            stack: Vec::new(),
        };
        let mut current: Vec<usize> = Vec::with_capacity(self.prog.len());
        let mut next: Vec<usize> = Vec::with_capacity(self.prog.len());
        let mut chars = text.chars();
        let mut prev: Option<char> = None;
        let mut at: Option<char> = chars.next();
        loop {
            // Unanchored search: a new thread starts at every position.
            if run.add(0, prev, at, &mut current) {
                return true;
            }
            let Some(c) = at else {
                return false;
            };
            let after = chars.next();
            run.generation += 1;
            next.clear();
            for &pc in &current {
                let step = match self.prog.get(pc) {
                    Some(Inst::Char(x)) => *x == c,
                    Some(Inst::Any) => !is_line_terminator(c),
                    Some(Inst::Set(i)) => self.sets.get(*i).is_some_and(|s| s.matches(c)),
                    _ => false,
                };
                if step && run.add(pc + 1, Some(c), after, &mut next) {
                    return true;
                }
            }
            std::mem::swap(&mut current, &mut next);
            prev = Some(c);
            at = after;
        }
    }
}

/// The state of one [`Regex::is_match`] run.
struct Run<'r> {
    regex: &'r Regex,
    /// `marks[pc] == generation` when `pc` was already visited at the current position.
    marks: Vec<usize>,
    generation: usize,
    stack: Vec<usize>,
}

impl Run<'_> {
    /// Follows the epsilon transitions from `pc` at the position between `prev` and `at`,
    /// adding the character-consuming states reached to `list`. Returns true when `Match`
    /// is reachable.
    fn add(
        &mut self,
        pc: usize,
        prev: Option<char>,
        at: Option<char>,
        list: &mut Vec<usize>,
    ) -> bool {
        self.stack.clear();
        self.stack.push(pc);
        while let Some(pc) = self.stack.pop() {
            match self.marks.get_mut(pc) {
                Some(mark) if *mark != self.generation => *mark = self.generation,
                _ => continue,
            }
            match self.regex.prog.get(pc) {
                Some(Inst::Match) => return true,
                Some(Inst::Jmp(to)) => self.stack.push(*to),
                Some(Inst::Split(a, b)) => {
                    self.stack.push(*b);
                    self.stack.push(*a);
                }
                Some(Inst::Look(look)) => {
                    let holds = match look {
                        Look::Start => prev.is_none(),
                        Look::End => at.is_none(),
                        Look::WordBoundary => is_word_char(prev) != is_word_char(at),
                        Look::NotWordBoundary => is_word_char(prev) == is_word_char(at),
                    };
                    if holds {
                        self.stack.push(pc + 1);
                    }
                }
                Some(Inst::Char(_) | Inst::Any | Inst::Set(_)) => list.push(pc),
                None => {}
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    fn check(cases: &[(&str, &str, bool)]) {
        let mut failures = Vec::new();
        for &(pattern, text, expected) in cases {
            match Regex::new(pattern) {
                Ok(re) if re.is_match(text) == expected => {}
                Ok(_) => failures.push(format!("{pattern:?} on {text:?}: expected {expected}")),
                Err(e) => failures.push(format!("{pattern:?}: compile error {e}")),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn literals_and_search() {
        check(&[
            ("abc", "abc", true),
            ("abc", "xxabcxx", true),
            ("abc", "ab", false),
            ("", "", true),
            ("", "anything", true),
            ("a+", "xyz", false),
            ("a+", "xaz", true),
            ("é", "café", true),
            ("😀", "a😀b", true),
            ("a|b|c", "zzc", true),
            ("a|b|c", "zzd", false),
            ("ab|", "zz", true),
            ("(?:ab|cd)e", "xcde", true),
            ("(?:ab|cd)e", "xade", false),
            ("(a)(b)", "ab", true),
            ("(?<year>\\d{4})-(?<m>\\d\\d)", "on 2024-05", true),
        ]);
    }

    #[test]
    fn escapes() {
        check(&[
            ("^\\.$", ".", true),
            ("^\\.$", "a", false),
            ("^\\/$", "/", true),
            ("^\\\\$", "\\", true),
            ("^\\t$", "\t", true),
            ("^\\t$", "\\t", false),
            ("^\\n$", "\n", true),
            ("^\\r$", "\r", true),
            ("^\\f$", "\u{c}", true),
            ("^\\v$", "\u{b}", true),
            ("^\\0$", "\0", true),
            ("^\\x41$", "A", true),
            ("^\\x4a$", "J", true),
            ("^\\u00e9$", "é", true),
            ("^\\u{1F600}$", "😀", true),
            ("^\\u{41}$", "A", true),
            ("^\\ud83d\\ude00$", "😀", true),
            ("^\\cC$", "\u{3}", true),
            ("^\\cC$", "\\cC", false),
            ("^\\cc$", "\u{3}", true),
            (
                "^\\^\\$\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|$",
                "^$*+?()[]{}|",
                true,
            ),
            ("^[\\-]$", "-", true),
            ("^[\\b]$", "\u{8}", true),
            ("^[\\]]$", "]", true),
        ]);
    }

    #[test]
    fn dot_and_anchors() {
        check(&[
            ("^.$", "a", true),
            ("^.$", "😀", true),
            ("^.$", "\n", false),
            ("^.$", "\r", false),
            ("^.$", "\u{2028}", false),
            ("^.$", "\u{2029}", false),
            ("^.$", "\u{85}", true),
            ("^abc$", "abc", true),
            ("^abc$", "abc\n", false),
            ("^abc$", "xabc", false),
            ("^abc", "abcx", true),
            ("abc$", "xabc", true),
            ("a^b", "a^b", false),
            ("^$", "", true),
            ("^$", "a", false),
            ("^.*bar$", "foobar", true),
            ("^.*bar$", "foo\nbar", false),
            ("(?:^|,)x", "a,x", true),
            ("(?:^|,)x", "ax", false),
        ]);
    }

    #[test]
    fn classes() {
        check(&[
            ("^[abc]$", "b", true),
            ("^[abc]$", "d", false),
            ("^[^abc]$", "d", true),
            ("^[^abc]$", "a", false),
            ("^[^abc]$", "\n", true),
            ("^[a-z0-9_]+$", "snake_case_9", true),
            ("^[a-z0-9_]+$", "Snake", false),
            ("^[-a]$", "-", true),
            ("^[a-]$", "-", true),
            ("^[a-c-e]$", "-", true),
            ("^[a-c-e]$", "d", false),
            ("^[[]$", "[", true),
            ("^[.]$", "a", false),
            ("^[.]$", ".", true),
            ("^[]$", "", false),
            ("^[]$", "a", false),
            ("^[^]$", "\n", true),
            ("^[\\d.]+$", "1.5", true),
            ("^[\\D]$", "5", false),
            ("^[\\W\\d]$", "5", true),
            ("^[\\W\\d]$", "a", false),
            ("^[\\W\\d]$", "é", true),
            ("^[^\\s]$", " ", false),
            ("^[\\u0041-\\u005A]$", "Q", true),
            ("^[\\x00-\\x7f]+$", "ascii", true),
            ("^[\\x00-\\x7f]+$", "ascé", false),
            ("^[😀-😂]$", "😁", true),
            ("^[\\u{10000}-\\u{10ffff}]$", "😁", true),
            ("^[\\u{10000}-\\u{10ffff}]$", "\u{ffff}", false),
            ("^[\\ud7ff-\\ue000]$", "\u{e000}", true),
        ]);
    }

    #[test]
    fn shorthand_classes() {
        check(&[
            ("^\\d$", "0", true),
            ("^\\d$", "\u{7c0}", false),
            ("^\\d+$", "৪২", false),
            ("^\\D$", "\u{7c0}", true),
            ("^\\D$", "0", false),
            ("^\\w$", "a", true),
            ("^\\w$", "_", true),
            ("^\\w$", "é", false),
            ("^\\W$", "é", true),
            ("^\\W$", "Z", false),
            ("\\wcole", "l'ecole", true),
            ("\\wcole", "l'école", false),
            ("[a-z]cole", "l'école", false),
            ("[a-z]cole", "l'ecole", true),
        ]);
        let spaces = [
            " ", "\t", "\n", "\u{b}", "\u{c}", "\r", "\u{a0}", "\u{1680}", "\u{2000}", "\u{2003}",
            "\u{200a}", "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}", "\u{3000}", "\u{feff}",
        ];
        let non_spaces = ["a", "\u{1}", "\u{2013}", "\u{200b}", "\u{85}", "\u{180e}"];
        for s in spaces {
            check(&[
                ("^\\s$", s, true),
                ("^\\S$", s, false),
                ("^[\\S]$", s, false),
            ]);
        }
        for s in non_spaces {
            check(&[
                ("^\\s$", s, false),
                ("^\\S$", s, true),
                ("^[^\\s]$", s, true),
            ]);
        }
    }

    #[test]
    fn word_boundaries() {
        check(&[
            ("\\bcat\\b", "a cat sat", true),
            ("\\bcat\\b", "concat", false),
            ("\\bcat\\b", "cat", true),
            ("\\Bcat", "concat", true),
            ("\\Bcat", "cat", false),
            ("^\\b$", "", false),
            ("^\\B$", "", true),
            ("\\bé", "é", false),
            ("a\\b", "a-", true),
            ("a\\b", "ab", false),
        ]);
    }

    #[test]
    fn quantifiers() {
        check(&[
            ("^a*$", "", true),
            ("^a*$", "aaa", true),
            ("^a*$", "aab", false),
            ("^a+$", "", false),
            ("^ab?c$", "ac", true),
            ("^ab?c$", "abc", true),
            ("^ab?c$", "abbc", false),
            ("^a{3}$", "aaa", true),
            ("^a{3}$", "aa", false),
            ("^a{3}$", "aaaa", false),
            ("^a{2,}$", "a", false),
            ("^a{2,}$", "aaaaaa", true),
            ("^a{2,4}$", "aaaa", true),
            ("^a{2,4}$", "aaaaa", false),
            ("^a{0,2}$", "", true),
            ("^a{0}$", "", true),
            ("^a{0}$", "a", false),
            ("^(?:ab){2}$", "abab", true),
            ("^(?:ab){2}$", "ab", false),
            ("^a*?$", "aa", true),
            ("^a+?b$", "aab", true),
            ("^a??b$", "ab", true),
            ("^a{1,2}?b$", "aab", true),
            ("^a{2,}?$", "a", false),
            ("^(?:a|b)*c$", "ababc", true),
            ("^(a*)*$", "aaa", true),
            ("^(a*)+b$", "b", true),
            ("^(?:)*x$", "x", true),
            ("^(?:a?){3}$", "aa", true),
            ("[0-9]{2,}", "a12", true),
            ("[0-9]{2,}", "a1b2", false),
            ("^x{1}y{0,}z{1,1}$", "xyyyz", true),
        ]);
    }

    #[test]
    fn properties() {
        check(&[
            ("^\\p{Alphabetic}+$", "éλж", true),
            ("^\\p{L}+$", "éλж", true),
            ("^\\p{Letter}+$", "a1", false),
            ("^[\\p{L}_]+$", "é_x", true),
            ("^\\p{Alpha}+$", "a1", false),
            ("^\\P{Alpha}+$", "12", true),
            ("^\\p{Lowercase}$", "ß", true),
            ("^\\p{Lower}$", "A", false),
            ("^\\p{Uppercase}$", "Ж", true),
            ("^\\p{Upper}$", "ж", false),
            ("^\\p{White_Space}$", "\u{85}", true),
            ("^\\p{space}$", "x", false),
            ("^\\p{ASCII}+$", "abc", true),
            ("^\\p{ASCII}+$", "é", false),
            ("^\\p{AHex}+$", "c0ffee", true),
            ("^\\p{ASCII_Hex_Digit}$", "g", false),
            ("^\\p{Any}$", "\n", true),
            ("^[\\p{Upper}\\d]+$", "AB12", true),
            ("^[^\\p{Upper}]+$", "ab", true),
            ("^[\\P{ASCII}]$", "a", false),
        ]);
    }

    #[test]
    fn errors_name_the_construct() {
        let cases = [
            ("(?=a)", "lookahead"),
            ("(?!a)", "negative lookahead"),
            ("(?<=a)", "lookbehind"),
            ("(?<!a)", "negative lookbehind"),
            ("(a)\\1", "backreference"),
            ("(?<n>a)\\k<n>", "named backreference"),
            ("\\p{Lu}", "\\p{Lu}"),
            ("\\p{Nd}", "\\p{Nd}"),
            ("\\p{digit}", "\\p{digit}"),
            ("\\p{Script=Greek}", "\\p{Script=Greek}"),
            ("\\ud800", "lone surrogate"),
            ("\\u{dc00}", "lone surrogate"),
            ("\\00", "octal"),
            ("(?i)a", "group modifier"),
            ("\\a", "unknown escape"),
            ("\\-", "unknown escape"),
            ("\\e", "unknown escape"),
            ("\\c1", "\\c"),
            ("\\x4", "\\x"),
            ("\\u12", "\\u"),
            ("\\u{110000}", "U+10FFFF"),
            ("\\u{}", "\\u{...}"),
            ("\\", "end of pattern"),
            ("*a", "nothing to repeat"),
            ("a**", "nothing to repeat"),
            ("a|+", "nothing to repeat"),
            ("^*", "assertion"),
            ("\\b+", "assertion"),
            ("a{", "quantifier"),
            ("a{2", "quantifier"),
            ("a{,2}", "quantifier"),
            ("a{3,2}", "out of order"),
            ("a{99999999999}", "repetition count"),
            ("{", "lone `{`"),
            ("}", "lone `}`"),
            ("]", "lone `]`"),
            ("(a", "missing `)`"),
            ("a)", "unmatched `)`"),
            ("[a", "missing `]`"),
            ("[z-a]", "out of order"),
            ("[\\d-z]", "range bound"),
            ("[a-\\w]", "range bound"),
            ("(?<1a>x)", "group name"),
            ("(?<>x)", "group name"),
            ("\\p", "\\p"),
            ("\\p{Alpha", "\\p{...}"),
        ];
        let mut failures = Vec::new();
        for (pattern, needle) in cases {
            match Regex::new(pattern) {
                Ok(_) => failures.push(format!("{pattern:?} was accepted")),
                Err(e) if e.contains(needle) => {}
                Err(e) => failures.push(format!("{pattern:?}: {e:?} lacks {needle:?}")),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn hostile_patterns_are_bounded() {
        let deep = format!("{}a{}", "(".repeat(65), ")".repeat(65));
        let err = Regex::new(&deep).unwrap_err();
        assert!(err.contains("nesting"), "{err}");
        let ok = format!("{}a{}", "(".repeat(64), ")".repeat(64));
        assert!(Regex::new(&ok).unwrap().is_match("a"));
        let deep_class = "[".repeat(100_000);
        assert!(Regex::new(&deep_class).is_err());
        for pattern in [
            "a{10000}b{10000}",
            "(?:a{100}){100}",
            "((a{1000}){1000}){1000}",
            "(?:(?:(?:){10000}){10000}){10000}",
            "(?:\\b{1}){10000}x{1}",
            "(?:(?:a?){10000}){10000}",
        ] {
            let start = Instant::now();
            let result = Regex::new(pattern);
            assert!(result.is_err(), "{pattern} accepted");
            assert!(start.elapsed() < Duration::from_secs(2), "{pattern} slow");
        }
        let big = Regex::new("^a{1000}$").unwrap();
        assert!(big.is_match(&"a".repeat(1000)));
        assert!(!big.is_match(&"a".repeat(999)));
        assert!(!big.is_match(&"a".repeat(1001)));
    }

    #[test]
    fn pathological_inputs_are_linear() {
        let aaa = "a".repeat(100_000);
        let aaab = format!("{aaa}b");
        let aaac = format!("{aaa}c");
        let xxx = "x".repeat(100_000);
        let aaa_bang = format!("{aaa}!");
        let cases: [(&str, &str, bool); 10] = [
            ("(a+)+$", &aaab, false),
            ("(a+)+$", &aaa, true),
            ("^(a+)+$", &aaab, false),
            ("(a|a)*b", &aaac, false),
            ("(a|a)*b", &aaab, true),
            ("(a*)*b", &aaa, false),
            ("^(a|aa)+$", &aaab, false),
            ("(x+x+)+y", &xxx, false),
            ("^(\\w+\\s?)*$", &aaa_bang, false),
            ("^(?:a?){50}a{50}$", &aaa, false),
        ];
        let total = Instant::now();
        for (pattern, text, expected) in cases {
            let start = Instant::now();
            let re = Regex::new(pattern).unwrap();
            assert_eq!(re.is_match(text), expected, "{pattern}");
            eprintln!(
                "{pattern:>20} on {} chars: {:?}",
                text.len(),
                start.elapsed()
            );
        }
        let elapsed = total.elapsed();
        eprintln!("pathological inputs, total: {elapsed:?}");
        assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    }

    /// Reads a draft 2020-12 test-suite file from `../shared/vectors/...`, or from the
    /// directory named by the `JSON_SCHEMA_SUITE_DIR` environment variable.
    fn suite_file(name: &str) -> Option<Value> {
        let dir = std::env::var_os("JSON_SCHEMA_SUITE_DIR").map_or_else(
            || {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../shared/vectors/json-schema-test-suite/draft2020-12")
            },
            PathBuf::from,
        );
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).ok()?;
        Some(serde_json::from_str(&text).unwrap())
    }

    #[derive(Default, Debug)]
    struct Tally {
        accepted: usize,
        refused: Vec<String>,
        cases_passed: usize,
        failures: Vec<String>,
    }

    impl Tally {
        fn compile(&mut self, pattern: &str) -> Option<Regex> {
            match Regex::new(pattern) {
                Ok(re) => {
                    self.accepted += 1;
                    Some(re)
                }
                Err(e) => {
                    self.refused.push(format!("{pattern:?}: {e}"));
                    None
                }
            }
        }

        fn expect(&mut self, ok: bool, what: String) {
            if ok {
                self.cases_passed += 1;
            } else {
                self.failures.push(what);
            }
        }
    }

    /// Checks the groups of a test-suite file that exercise the regex engine directly:
    /// `pattern` against string instances, `patternProperties` whose values are all `true`
    /// under `additionalProperties: false` (valid iff every key matches a pattern), and
    /// `{"pattern": "..."}` instances of the meta-schema (valid iff the pattern compiles).
    fn run_suite(name: &str) -> Option<Tally> {
        let Value::Array(groups) = suite_file(name)? else {
            panic!("{name}: not an array");
        };
        let mut tally = Tally::default();
        for group in &groups {
            let schema = &group["schema"];
            let tests = group["tests"].as_array().unwrap();
            if let Some(pattern) = schema["pattern"].as_str() {
                let Some(re) = tally.compile(pattern) else {
                    continue;
                };
                for test in tests {
                    if let (Some(text), Some(valid)) =
                        (test["data"].as_str(), test["valid"].as_bool())
                    {
                        let ok = re.is_match(text) == valid;
                        tally.expect(ok, format!("{pattern:?} on {text:?}: expected {valid}"));
                    }
                }
            }
            if let Some(props) = schema["patternProperties"].as_object() {
                let compiled: Vec<Option<Regex>> = props.keys().map(|p| tally.compile(p)).collect();
                let simple = schema["additionalProperties"] == Value::Bool(false)
                    && props.values().all(|v| *v == Value::Bool(true));
                if !simple || compiled.iter().any(Option::is_none) {
                    continue;
                }
                let compiled: Vec<Regex> = compiled.into_iter().flatten().collect();
                for test in tests {
                    if let (Some(data), Some(valid)) =
                        (test["data"].as_object(), test["valid"].as_bool())
                    {
                        let got = data
                            .keys()
                            .all(|k| compiled.iter().any(|re| re.is_match(k)));
                        tally.expect(
                            got == valid,
                            format!("{props:?} on keys {data:?}: expected {valid}"),
                        );
                    }
                }
            }
            if schema.get("$ref").is_some() {
                for test in tests {
                    if let (Some(pattern), Some(valid)) =
                        (test["data"]["pattern"].as_str(), test["valid"].as_bool())
                    {
                        let got = Regex::new(pattern).is_ok();
                        tally.expect(
                            got == valid,
                            format!("{pattern:?} as a pattern: expected valid={valid}"),
                        );
                    }
                }
            }
        }
        eprintln!(
            "{name}: {} patterns accepted, {} refused {:?}; {} cases passed, {} failed",
            tally.accepted,
            tally.refused.len(),
            tally.refused,
            tally.cases_passed,
            tally.failures.len()
        );
        Some(tally)
    }

    #[test]
    fn json_schema_test_suite_pattern_files() {
        for name in ["pattern.json", "patternProperties.json"] {
            let tally = run_suite(name).unwrap_or_else(|| panic!("{name} is missing"));
            assert!(tally.failures.is_empty(), "{name}: {:#?}", tally.failures);
            // `\p{Letter}` is supported (general category L from the generated tables).
            assert!(
                tally.refused.is_empty(),
                "{name}: refused {:?}",
                tally.refused
            );
        }
    }

    #[test]
    fn json_schema_test_suite_ecmascript_regex() {
        let Some(tally) = run_suite("optional/ecmascript-regex.json") else {
            eprintln!("optional/ecmascript-regex.json is not present: skipped");
            return;
        };
        assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
    }

    #[test]
    fn pattern_properties_suite_patterns() {
        check(&[
            ("f.*o", "foo", true),
            ("f.*o", "foooooo", true),
            ("f.*o", "fo", true),
            ("f.*o", "bar", false),
            ("a*", "", true),
            ("a*", "xyz", true),
            ("aaa*", "a", false),
            ("aaa*", "aaaa", true),
            ("X_", "a_X_3", true),
            ("X_", "a_x_3", false),
            ("b.*", "bar", true),
            ("f.*", "foobar", true),
            ("f.*", "bar", false),
            ("^.*bar$", "foobar", true),
        ]);
    }
}
