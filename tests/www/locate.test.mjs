// Unit tests of www/locate.mjs (JSON pointer -> text span, parser line/column -> offset).
import { test } from "node:test";
import assert from "node:assert/strict";
import { locatePointer, offsetOfLineColumn, lineColumnOf, pointerTokens } from "../../www/locate.mjs";

const span = (text, pointer) => {
  const r = locatePointer(text, pointer);
  return [r.found, text.slice(r.start, r.end), r.keyStart >= 0 ? text.slice(r.keyStart, r.keyEnd) : null];
};

test("pointer tokens unescape ~1 and ~0", () => {
  assert.deepEqual(pointerTokens(""), []);
  assert.deepEqual(pointerTokens("/a~1b/c~0d/~01"), ["a/b", "c~d", "~1"]);
  assert.deepEqual(pointerTokens("/"), [""]);
});

test("locates members, array items, escaped keys and nested values", () => {
  const text = '{\n "a": {"b/c": [1, {"x": "y"}, 3]},\n "k\\u0065y": "v",\n "": 0,\n "s": "q\\"}"\n}';
  assert.deepEqual(span(text, "/a/b~1c/1/x"), [true, '"y"', '"x"']);
  assert.deepEqual(span(text, "/a/b~1c/2"), [true, "3", null]);
  assert.deepEqual(span(text, "/key"), [true, '"v"', '"k\\u0065y"']);
  assert.deepEqual(span(text, "/"), [true, "0", '""']);
  assert.deepEqual(span(text, "/s"), [true, '"q\\"}"', '"s"']);
  assert.equal(locatePointer(text, "").start, 0);
});

test("duplicate keys: the last one wins, as in parsers", () => {
  assert.deepEqual(span('{"a": 1, "a": 2}', "/a"), [true, "2", '"a"']);
});

test("a missing member gives the deepest value found", () => {
  assert.deepEqual(span('{"a": {"b": 1}}', "/a/zz"), [false, '{"b": 1}', '"a"']);
  assert.deepEqual(span('{"a": [1]}', "/a/5"), [false, "[1]", '"a"']);
  assert.deepEqual(span('{"a": [1]}', "/a/01"), [false, "[1]", '"a"']);
});

test("broken text does not throw", () => {
  for (const text of ["", "{", '{"a": ', '{"a": {"b": [1, 2', '{"a" 1}', '"unclosed', "[,,]"]) {
    for (const p of ["", "/a", "/a/b/0", "/0"]) locatePointer(text, p);
  }
});

test("line/column in UTF-8 bytes maps to a UTF-16 offset and a code-point column", () => {
  const text = '{"é€😀": x}';
  const r = offsetOfLineColumn(text, 1, 15); // serde_json counts bytes
  assert.equal(text[r.offset], "x");
  assert.equal(r.column, 9);
  const t2 = '{\n  "a": 1,\n  "b": }';
  assert.equal(t2[offsetOfLineColumn(t2, 3, 8).offset], "}");
  assert.deepEqual(offsetOfLineColumn("", 1, 0), { offset: 0, line: 1, column: 1 });
  assert.deepEqual(lineColumnOf(t2, t2.indexOf("}")), { line: 3, column: 8 });
});
