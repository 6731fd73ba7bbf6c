//! JSON with comment lines, parsed with the position of every value.
//!
//! A line whose first non-blank characters are `#` or `//` is a comment. The
//! parser reports the line and column (1-based, counted in characters) of
//! every value it reads and of the first character it cannot accept. Of a
//! key given twice in one object the last value is kept;
//! [`parse_with_duplicates`] also reports such keys.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Number, Value};

use super::merge::{Segment, Tree};

/// Objects and arrays nested deeper than this are refused, so a hostile file
/// cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

/// A line and a column, both 1-based.
pub(crate) type Pos = (usize, usize);

/// A syntax error: where it is and what was expected or found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// The length in bytes of the comment line at the start of `rest` (up to,
/// not including, its line break), or `None` when that line is not a
/// comment.
fn comment_line_len(rest: &str) -> Option<usize> {
    let body = rest.trim_start_matches(|c: char| c != '\n' && c.is_whitespace());
    if body.starts_with('#') || body.starts_with("//") {
        Some(rest.find('\n').unwrap_or(rest.len()))
    } else {
        None
    }
}

/// A key given more than once in one object. The value of the last
/// occurrence is the one kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Duplicate {
    /// The full path of the key.
    pub(crate) path: Vec<Segment>,
    /// The position of the key where it first occurs in the object.
    pub(crate) first: Pos,
    /// The position of the key where it occurs again; a key given three
    /// times is reported twice, each time with the same `first`.
    pub(crate) second: Pos,
}

/// Parses `text` (JSON with comment lines) into a value and the positions of
/// every value in it. Of a key given twice in one object, the last value is
/// kept.
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<(Value, Tree<Pos>), SyntaxError> {
    parse_with_duplicates(text).map(|(value, positions, _)| (value, positions))
}

/// Parses `text` (JSON with comment lines) into a value, the positions of
/// every value in it and the keys given more than once in one object, in the
/// order of their repeated occurrences. Of such a key the last value is
/// kept.
pub(crate) fn parse_with_duplicates(
    text: &str,
) -> Result<(Value, Tree<Pos>, Vec<Duplicate>), SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser::new(text, 0);
    parser.skip_comment_lines();
    parser.skip_whitespace();
    let (value, positions) = parser.value(0)?;
    parser.skip_whitespace();
    if parser.peek().is_some() {
        return Err(parser.unexpected("expected end of file after the top-level value"));
    }
    let mut duplicates = parser.duplicates;
    for duplicate in &mut duplicates {
        // built from the key outwards while the parser returned
        duplicate.path.reverse();
    }
    Ok((value, positions, duplicates))
}

/// The position of byte `offset` of `text` (for reporting invalid UTF-8 and
/// similar problems found outside the parser).
pub(crate) fn position_of(bytes: &[u8], offset: usize) -> Pos {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Whether `byte` continues a UTF-8 sequence (is not the first byte of a
/// character).
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// The parser works on the bytes of the text and only decodes a character
/// where one that is not ASCII may stand; `index` is always on a character
/// boundary. Line breaks are only ever consumed by `skip_whitespace` (no
/// token spans lines), which also skips the comment lines after them.
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    index: usize,
    line: usize,
    /// The byte where the current line starts, for the column; after a
    /// skipped comment line it is that line's end, as if it were empty.
    line_start: usize,
    /// The UTF-8 continuation bytes between `line_start` and `index`: the
    /// column counts characters.
    continuations: usize,
    /// The key offset and position of the first occurrence of each key of
    /// the objects being parsed, innermost last.
    members: Vec<(usize, Pos)>,
    /// Duplicate keys found so far; each path holds the segments from the
    /// key outwards until the parse is done.
    duplicates: Vec<Duplicate>,
}

/// How a character the parser did not expect is named in a message.
fn describe(c: Option<char>) -> String {
    match c {
        None => "end of file".to_string(),
        Some('\n') | Some('\r') => "end of line".to_string(),
        Some(c) if c.is_control() => format!("control character U+{:04X}", c as u32),
        Some('\'') => "\"'\"".to_string(),
        Some(c) => format!("'{c}'"),
    }
}

impl<'a> Parser<'a> {
    /// A parser of `text` from byte `index` on, which it counts as the
    /// start of line 1.
    fn new(text: &'a str, index: usize) -> Parser<'a> {
        Parser {
            text,
            bytes: text.as_bytes(),
            index,
            line: 1,
            line_start: index,
            continuations: 0,
            members: Vec::new(),
            duplicates: Vec::new(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.index).copied()
    }

    /// The character at the current position.
    fn peek_char(&self) -> Option<char> {
        self.text.get(self.index..)?.chars().next()
    }

    fn pos(&self) -> Pos {
        (
            self.line,
            self.index - self.line_start - self.continuations + 1,
        )
    }

    /// Consumes the current byte, which is ASCII and not a line break.
    fn bump(&mut self) {
        self.index += 1;
    }

    /// Consumes the character `c` at the current position.
    fn bump_char(&mut self, c: char) {
        self.index += c.len_utf8();
        self.continuations += c.len_utf8() - 1;
    }

    /// Moves to byte `end` of the current line, past characters of any kind
    /// but line breaks.
    fn advance_to(&mut self, end: usize) {
        let skipped = self.bytes.get(self.index..end).unwrap_or_default();
        self.continuations += skipped.iter().filter(|&&b| is_continuation(b)).count();
        self.index = end;
    }

    fn error_at(&self, (line, column): Pos, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line,
            column,
            message: message.into(),
        }
    }

    /// An error at the current character: `<expected>, found <it>`.
    fn unexpected(&self, expected: &str) -> SyntaxError {
        self.error_at(
            self.pos(),
            format!("{expected}, found {}", describe(self.peek_char())),
        )
    }

    /// Skips the comment lines from the current position, which starts a
    /// line, leaving it at the line break (or the end) of the last one.
    fn skip_comment_lines(&mut self) {
        while let Some(len) = self.text.get(self.index..).and_then(comment_line_len) {
            self.index += len;
            self.line_start = self.index;
            self.continuations = 0;
            if self.peek() != Some(b'\n') {
                return;
            }
            self.index += 1;
            self.line += 1;
            self.line_start = self.index;
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(byte) = self.peek() {
            match byte {
                b' ' | b'\t' | b'\r' => self.index += 1,
                b'\n' => {
                    self.index += 1;
                    self.line += 1;
                    self.line_start = self.index;
                    self.continuations = 0;
                    self.skip_comment_lines();
                }
                _ => return,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<(Value, Tree<Pos>), SyntaxError> {
        let at = self.pos();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok((Value::String(self.string()?), Tree::leaf(at))),
            Some(b'-' | b'0'..=b'9') => Ok((self.number()?, Tree::leaf(at))),
            _ if self.peek_char().is_some_and(char::is_alphabetic) => {
                Ok((self.literal()?, Tree::leaf(at)))
            }
            _ => Err(self.unexpected("expected a JSON value")),
        }
    }

    fn enter(&self, depth: usize) -> Result<usize, SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.error_at(
                self.pos(),
                format!("objects and arrays are nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(depth + 1)
    }

    /// Adds `segment` to the paths of the duplicates found from index
    /// `since` on, inside the value at `segment`.
    fn prefix_duplicates(&mut self, since: usize, segment: impl Fn() -> Segment) {
        for duplicate in self.duplicates.get_mut(since..).unwrap_or_default() {
            duplicate.path.push(segment());
        }
    }

    /// The first position of each key of the object whose members start at
    /// `members`, decoded again from the text (only done once the object
    /// turns out to hold a duplicate).
    fn first_positions(&self, members: usize) -> HashMap<String, Pos> {
        let mut firsts = HashMap::new();
        for &(offset, at) in self.members.get(members..).unwrap_or_default() {
            if let Ok(key) = Parser::new(self.text, offset).string() {
                firsts.entry(key).or_insert(at);
            }
        }
        firsts
    }

    fn object(&mut self, depth: usize) -> Result<(Value, Tree<Pos>), SyntaxError> {
        let depth = self.enter(depth)?;
        let mut tree = Tree::leaf(self.pos());
        let mut map = Map::new();
        let members = self.members.len();
        // filled once the object turns out to hold a duplicate key
        let mut firsts: Option<HashMap<String, Pos>> = None;
        self.bump();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok((Value::Object(map), tree));
        }
        loop {
            if self.peek() != Some(b'"') {
                let expected = if map.is_empty() {
                    "expected a string key or '}'"
                } else {
                    "expected a string key after ','"
                };
                return Err(self.unexpected(expected));
            }
            let key_at = self.pos();
            let key_offset = self.index;
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.unexpected(&format!("expected ':' after the key {key:?}")));
            }
            self.bump();
            self.skip_whitespace();
            if tree.keys.contains_key(&key) {
                let firsts = firsts.get_or_insert_with(|| self.first_positions(members));
                let first = firsts.get(&key).copied().unwrap_or(key_at);
                self.duplicates.push(Duplicate {
                    path: vec![Segment::Key(key.clone())],
                    first,
                    second: key_at,
                });
            } else if let Some(firsts) = &mut firsts {
                firsts.insert(key.clone(), key_at);
            } else {
                self.members.push((key_offset, key_at));
            }
            let inner = self.duplicates.len();
            let (value, at) = self.value(depth)?;
            self.prefix_duplicates(inner, || Segment::Key(key.clone()));
            map.insert(key.clone(), value);
            tree.keys.insert(key, at);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.bump();
                    self.skip_whitespace();
                }
                Some(b'}') => {
                    self.bump();
                    self.members.truncate(members);
                    return Ok((Value::Object(map), tree));
                }
                _ => return Err(self.unexpected("expected ',' or '}' after an object member")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(Value, Tree<Pos>), SyntaxError> {
        let depth = self.enter(depth)?;
        let mut tree = Tree::leaf(self.pos());
        let mut items = Vec::new();
        self.bump();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok((Value::Array(items), tree));
        }
        loop {
            if self.peek() == Some(b']') {
                return Err(self.unexpected("expected a JSON value after ','"));
            }
            let inner = self.duplicates.len();
            let (value, at) = self.value(depth)?;
            let index = items.len();
            self.prefix_duplicates(inner, || Segment::Index(index));
            items.push(value);
            tree.items.push(at);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.bump();
                    self.skip_whitespace();
                }
                Some(b']') => {
                    self.bump();
                    return Ok((Value::Array(items), tree));
                }
                _ => return Err(self.unexpected("expected ',' or ']' after an array item")),
            }
        }
    }

    /// `true`, `false` or `null`; any other word is named in the error.
    fn literal(&mut self) -> Result<Value, SyntaxError> {
        let at = self.pos();
        let start = self.index;
        while let Some(c) = self.peek_char() {
            if !(c.is_alphanumeric() || c == '_') {
                break;
            }
            self.bump_char(c);
        }
        let word = self.text.get(start..self.index).unwrap_or_default();
        match word {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "null" => Ok(Value::Null),
            _ => Err(self.error_at(
                at,
                format!("expected a JSON value (true, false, null, a number, a string, an object or an array), found '{word}'"),
            )),
        }
    }

    fn digits(&mut self) -> Result<(), SyntaxError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.unexpected("expected a digit"));
        }
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.bump();
        }
        Ok(())
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let at = self.pos();
        let start = self.index;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        if self.peek() == Some(b'0') {
            self.bump();
            if matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(
                    self.unexpected("expected '.', 'e' or the end of the number after a leading 0")
                );
            }
        } else {
            self.digits()?;
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.bump();
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            self.digits()?;
        }
        let text = self.text.get(start..self.index).unwrap_or_default();
        if integer {
            // What serde_json makes of an integer that fits; "-0" is the
            // integer 0 here, not the float serde_json reads.
            if let Ok(n) = text.parse::<u64>() {
                return Ok(Value::Number(n.into()));
            }
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Value::Number(Number::from(n)));
            }
        }
        // The lexeme is valid JSON here; serde_json decides between integer
        // and float exactly as it does for any other JSON it reads.
        serde_json::from_str(text)
            .map_err(|_| self.error_at(at, format!("number {text} is out of range")))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.unexpected("expected a hexadecimal digit in a \\u escape"))?;
            self.bump();
            code = code * 16 + digit;
        }
        Ok(code)
    }

    /// A string; the current character is its opening quote.
    fn string(&mut self) -> Result<String, SyntaxError> {
        self.bump();
        let mut out: Option<String> = None;
        loop {
            // the run of characters that stand for themselves
            let start = self.index;
            let end = (self.bytes.get(start..).unwrap_or_default())
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .map_or(self.bytes.len(), |n| start + n);
            self.advance_to(end);
            let run = self.text.get(start..end).unwrap_or_default();
            let at = self.pos();
            match self.peek() {
                None => return Err(self.unexpected("unterminated string: expected '\"'")),
                Some(b'"') => {
                    self.bump();
                    return Ok(match out {
                        Some(mut out) => {
                            out.push_str(run);
                            out
                        }
                        None => run.to_string(),
                    });
                }
                Some(b'\\') => {
                    let out = out.get_or_insert_with(String::new);
                    out.push_str(run);
                    self.bump();
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.bump();
                            out.push(self.unicode_escape(at)?);
                            continue;
                        }
                        _ => {
                            return Err(self.unexpected(
                                "expected an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX) after '\\'",
                            ))
                        }
                    };
                    self.bump();
                    out.push(escaped);
                }
                Some(_) => {
                    return Err(self.unexpected(
                        "expected '\"' or a character allowed in a string (write control characters as escapes)",
                    ))
                }
            }
        }
    }

    /// The character of a `\uXXXX` escape (and of its low-surrogate partner);
    /// `at` is the position of the backslash, the `u` is consumed.
    fn unicode_escape(&mut self, at: Pos) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.peek() != Some(b'\\') {
                    return Err(self.error_at(
                        at,
                        format!("lone surrogate \\u{first:04X}: expected a \\uDC00-\\uDFFF escape after it"),
                    ));
                }
                self.bump();
                if self.peek() != Some(b'u') {
                    return Err(self.unexpected("expected 'u' of the low surrogate escape"));
                }
                self.bump();
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error_at(
                        at,
                        format!(
                            "lone surrogate \\u{first:04X}: \\u{second:04X} is not a low surrogate"
                        ),
                    ));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => {
                return Err(self.error_at(
                    at,
                    format!(
                        "lone surrogate \\u{first:04X}: a low surrogate must follow a high one"
                    ),
                ))
            }
            code => code,
        };
        // Every code outside the surrogate range is a valid scalar value.
        char::from_u32(code).ok_or_else(|| self.error_at(at, "invalid \\u escape"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(text: &str) -> (Value, Tree<Pos>) {
        parse(text).unwrap_or_else(|e| panic!("{text:?} failed: {e}"))
    }

    fn err(text: &str) -> String {
        parse(text).expect_err(text).to_string()
    }

    #[test]
    fn parses_every_kind_of_value() {
        let (value, _) = ok(
            r#"{"a": [1, -2, 3.5, 1e3, -0, 18446744073709551615], "b": true,
            "c": false, "d": null, "e": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "f": {}, "g": []}"#,
        );
        assert_eq!(
            value,
            json!({"a": [1, -2, 3.5, 1000.0, 0, 18446744073709551615u64], "b": true, "c": false,
                   "d": null, "e": "x\"\\/\u{8}\u{c}\n\r\té😀", "f": {}, "g": []})
        );
        assert!(value["a"][0].is_u64());
        assert!(value["a"][2].is_f64());
        assert!(value["a"][4].is_u64());
    }

    #[test]
    fn raw_unicode_counts_as_one_column() {
        let (_, tree) = ok("{\"é😀\": \"ü\", \"n\": 1}");
        assert_eq!(tree.keys["é😀"].at, (1, 8));
        assert_eq!(tree.keys["n"].at, (1, 18));
    }

    #[test]
    fn positions_of_nested_values() {
        let text = "{\n  \"db\": {\n    \"host\": \"h\",\n    \"ports\": [1,\n      2]\n  }\n}";
        let (_, tree) = ok(text);
        assert_eq!(tree.at, (1, 1));
        assert_eq!(tree.keys["db"].at, (2, 9));
        assert_eq!(tree.keys["db"].keys["host"].at, (3, 13));
        assert_eq!(tree.keys["db"].keys["ports"].at, (4, 14));
        assert_eq!(tree.keys["db"].keys["ports"].items[1].at, (5, 7));
    }

    #[test]
    fn comment_lines_are_ignored_and_lines_stay_right() {
        let text = "# hash\n// slashes\n{\n    # indented hash\n\t  // indented slashes\n  \"a\": 1,\n  \"b\": \"# not a comment\"\n}\n";
        let (value, tree) = ok(text);
        assert_eq!(value, json!({"a": 1, "b": "# not a comment"}));
        assert_eq!(tree.keys["a"].at, (6, 8));
        assert_eq!(tree.keys["b"].at, (7, 8));
    }

    #[test]
    fn comment_markers_after_content_are_not_comments() {
        assert_eq!(
            err("{\"a\": 1 # trailing\n}"),
            "1:9: expected ',' or '}' after an object member, found '#'"
        );
    }

    #[test]
    fn error_positions_are_exact() {
        assert_eq!(
            err("{\n  \"a\": 1,\n  \"b\" 2\n}"),
            "3:7: expected ':' after the key \"b\", found '2'"
        );
        assert_eq!(
            err("# c\n{\"a\": [1, 2,]}"),
            "2:13: expected a JSON value after ',', found ']'"
        );
        assert_eq!(
            err("{\"a\": 1,}"),
            "1:9: expected a string key after ',', found '}'"
        );
        assert_eq!(err("{\"a\": tru}"), "1:7: expected a JSON value (true, false, null, a number, a string, an object or an array), found 'tru'");
        assert_eq!(err("{\"a\": \"x\n\"}"), "1:9: expected '\"' or a character allowed in a string (write control characters as escapes), found end of line");
        assert_eq!(
            err("{\"a\": 01}"),
            "1:8: expected '.', 'e' or the end of the number after a leading 0, found '1'"
        );
        assert_eq!(err("{\"a\": 1.}"), "1:9: expected a digit, found '}'");
        assert_eq!(err("{\"a\": 1e999}"), "1:7: number 1e999 is out of range");
        assert_eq!(err("{\"a\": \"\\x\"}"), "1:9: expected an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX) after '\\', found 'x'");
        assert_eq!(
            err("{\"a\": \"\\ud800\"}"),
            "1:8: lone surrogate \\uD800: expected a \\uDC00-\\uDFFF escape after it"
        );
        assert_eq!(
            err("{\"a\": \"\\udc00\"}"),
            "1:8: lone surrogate \\uDC00: a low surrogate must follow a high one"
        );
        assert_eq!(
            err("{\"a\": \"\\u12G4\"}"),
            "1:12: expected a hexadecimal digit in a \\u escape, found 'G'"
        );
        assert_eq!(
            err("{'a': 1}"),
            "1:2: expected a string key or '}', found \"'\""
        );
        assert_eq!(
            err("{} {}"),
            "1:4: expected end of file after the top-level value, found '{'"
        );
        assert_eq!(
            err("{\"a\": 1"),
            "1:8: expected ',' or '}' after an object member, found end of file"
        );
        assert_eq!(
            err("{\"a"),
            "1:4: unterminated string: expected '\"', found end of file"
        );
        assert_eq!(err(""), "1:1: expected a JSON value, found end of file");
        assert_eq!(
            err("# only\n// comments\n"),
            "3:1: expected a JSON value, found end of file"
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowing() {
        let text = "[".repeat(100_000);
        assert!(err(&text).ends_with("objects and arrays are nested deeper than 128 levels"));
        let ok_depth = format!("{}{}", "[".repeat(128), "]".repeat(128));
        ok(&ok_depth);
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_and_position() {
        let (value, tree) = ok("{\"a\": 1,\n \"a\": 2}");
        assert_eq!(value, json!({"a": 2}));
        assert_eq!(tree.keys["a"].at, (2, 7));
    }

    fn duplicates(text: &str) -> Vec<(String, Pos, Pos)> {
        let (_, _, found) = parse_with_duplicates(text).unwrap_or_else(|e| panic!("{e}"));
        found
            .into_iter()
            .map(|d| (super::super::format_path(&d.path), d.first, d.second))
            .collect()
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_positions() {
        let text = "# c\n{\n  \"a\": 1, \"b\": {\"x\": 1,\n    \"x\": [{\"y\": 0, \"y\": 1}]},\n  \"a\": 2,\n\t\"a\": {\"é\": 1, \"é\": 2}\n}";
        assert_eq!(
            duplicates(text),
            [
                ("b.x".to_string(), (3, 17), (4, 5)),
                ("b.x[0].y".to_string(), (4, 12), (4, 20)),
                ("a".to_string(), (3, 3), (5, 3)),
                ("a".to_string(), (3, 3), (6, 2)),
                ("a.é".to_string(), (6, 8), (6, 16)),
            ]
        );
        let (value, tree, _) = parse_with_duplicates(text).unwrap();
        assert_eq!(value, json!({"a": {"é": 2}, "b": {"x": [{"y": 1}]}}));
        assert_eq!(tree.keys["a"].at, (6, 7));
        assert_eq!(parse(text).unwrap(), (value, tree));
    }

    #[test]
    fn same_keys_in_different_objects_are_not_duplicates() {
        assert_eq!(
            duplicates("{\"a\": {\"a\": 1}, \"b\": [{\"a\": 1}, {\"a\": 2}], \"c\": {\"a\": 3}}"),
            []
        );
        assert_eq!(duplicates("[1, \"a\", {}]"), []);
        assert_eq!(
            duplicates("[{\"\\u0061\": 1, \"a\": 2}]"),
            [("[0].a".to_string(), (1, 3), (1, 16))]
        );
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let (value, tree) = ok("\u{feff}# c\r\n{\r\n  \"a\": 1\r\n}\r\n");
        assert_eq!(value, json!({"a": 1}));
        assert_eq!(tree.keys["a"].at, (3, 8));
    }

    #[test]
    fn byte_offsets_map_to_positions() {
        let bytes = b"ab\n\xc3\xa7d\xff";
        assert_eq!(position_of(bytes, 0), (1, 1));
        assert_eq!(position_of(bytes, 3), (2, 1));
        assert_eq!(position_of(bytes, 6), (2, 3));
    }
}
