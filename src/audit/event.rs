//! The one event model: an event is the light reader's object ([`Members`]), borrowing from
//! the call's text (or a native caller's `serde_json::Value`, converted once on the way in,
//! see [`from_value`]) and from the configuration. Every step (build, prepare, validate,
//! chain) edits it in place; the emitted line is written from it once.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde_json::{Map, Value};

pub(crate) use crate::json::read::{Lite, Members};

/// A borrowed string value.
pub(crate) fn text(s: &str) -> Lite<'_> {
    Lite::Str(Cow::Borrowed(s))
}

/// An object of borrowed names.
pub(crate) fn obj<'a>(members: Vec<(&'static str, Lite<'a>)>) -> Lite<'a> {
    Lite::Obj(
        members
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect(),
    )
}

/// The member `key` of an object.
pub(crate) fn get<'m, 'a>(m: &'m Members<'a>, key: &str) -> Option<&'m Lite<'a>> {
    m.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The member `key` of an object, to change it.
pub(crate) fn get_mut<'m, 'a>(m: &'m mut Members<'a>, key: &str) -> Option<&'m mut Lite<'a>> {
    m.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Set `key` to `v`: in place when present (as a Python dict assignment), else appended.
pub(crate) fn set<'a>(m: &mut Members<'a>, key: &'static str, v: Lite<'a>) {
    match get_mut(m, key) {
        Some(slot) => *slot = v,
        None => m.push((Cow::Borrowed(key), v)),
    }
}

/// Whether a string member `key` equals `want`.
pub(crate) fn str_is(m: &Members<'_>, key: &str, want: &str) -> bool {
    matches!(get(m, key), Some(Lite::Str(s)) if s == want)
}

/// Python truthiness of a JSON value (`None`, `False`, `0`, `""`, `{}`, `[]` are false).
pub(crate) fn truthy(v: &Lite<'_>) -> bool {
    match v {
        Lite::Null => false,
        Lite::Bool(b) => *b,
        Lite::Num(t) => {
            let mantissa = t.split(['e', 'E']).next().unwrap_or("");
            if mantissa.bytes().all(|b| matches!(b, b'0' | b'-' | b'.')) {
                return false;
            }
            // A non-zero mantissa is zero only when the exponent underflows.
            !t.contains(['e', 'E']) || crate::json::num::parse_json_f64(t).is_some_and(|f| f != 0.0)
        }
        Lite::Str(s) => !s.is_empty(),
        Lite::Arr(a) => !a.is_empty(),
        Lite::Obj(o) => !o.is_empty(),
    }
}

/// `8-4-4-4-12` hexadecimal digits (any version), as the reference checks.
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A native caller's value, borrowed (the one conversion on the way in). Numbers become
/// their JSON text: integers in decimal, floats as Python's `repr`, which the line writer
/// reads back to the same float.
pub(crate) fn from_value(v: &Value) -> Lite<'_> {
    match v {
        Value::Null => Lite::Null,
        Value::Bool(b) => Lite::Bool(*b),
        Value::Number(n) => {
            let text = if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                let mut s = String::new();
                crate::json::write::py_float(n.as_f64().unwrap_or(0.0), &mut s);
                s
            };
            Lite::Num(Cow::Owned(text))
        }
        Value::String(s) => Lite::Str(Cow::Borrowed(s)),
        Value::Array(a) => Lite::Arr(a.iter().map(from_value).collect()),
        Value::Object(m) => Lite::Obj(from_map(m)),
    }
}

/// [`from_value`] of an object.
pub(crate) fn from_map(m: &Map<String, Value>) -> Members<'_> {
    m.iter()
        .map(|(k, v)| (Cow::Borrowed(k.as_str()), from_value(v)))
        .collect()
}

/// An emitted event: its line (the reference's `json.dumps` text, without a newline), and the
/// same event as a `serde_json` object, read from the line on first use.
#[derive(Clone, Debug)]
pub struct Event {
    line: String,
    value: OnceLock<Map<String, Value>>,
}

impl PartialEq for Event {
    fn eq(&self, other: &Event) -> bool {
        self.line == other.line
    }
}

impl Event {
    pub(crate) fn new(line: String) -> Event {
        Event {
            line,
            value: OnceLock::new(),
        }
    }

    /// The emitted line: `json.dumps(event, separators=(",", ":"), ensure_ascii=False)` of
    /// the reference, byte for byte.
    pub fn line(&self) -> &str {
        &self.line
    }

    /// The line, owned.
    pub fn into_line(self) -> String {
        self.line
    }

    /// The event as a JSON object, keys in the line's order (parsed once, on first use).
    pub fn as_map(&self) -> &Map<String, Value> {
        self.value
            .get_or_init(|| match crate::json::read::parse_value(&self.line) {
                Ok(Value::Object(m)) => m,
                _ => Map::new(),
            })
    }

    /// The event as a JSON object.
    pub fn to_value(&self) -> Value {
        Value::Object(self.as_map().clone())
    }

    /// The member `key` of the event.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map().get(key)
    }
}

impl std::ops::Index<&str> for Event {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.as_map().get(key).unwrap_or(&NULL)
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.line)
    }
}
