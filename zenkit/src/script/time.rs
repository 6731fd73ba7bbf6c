//! Time values as `--time-high` and configuration files give them: a Unix timestamp, integer or fractional, or an RFC 3339
//! time with a fraction and `Z` or an offset.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use serde_json::Value;

use crate::error::{Error, Result};

const EXPECTED: &str = "expected a Unix timestamp or an RFC 3339 time such as 2026-11-25T12:00:00Z";

/// Why a text is not a time value.
#[derive(Debug, PartialEq)]
enum Problem {
    /// It has the shape of neither form.
    Syntax,
    /// An RFC 3339 time without `Z` or an offset.
    MissingZone,
    /// It has the right shape but a field names nothing (month 13, 24:00).
    NoSuch(String),
    /// It is a valid value outside the years chrono can represent.
    OutOfRange,
}

impl Problem {
    /// The usage error for the value as the user wrote it (`shown`).
    fn into_error(self, shown: &str) -> Error {
        let reason = match self {
            Problem::Syntax => EXPECTED.to_owned(),
            Problem::MissingZone => {
                "the time zone is missing: end it with Z for UTC or an offset such as +01:00"
                    .to_owned()
            }
            Problem::NoSuch(reason) => reason,
            Problem::OutOfRange => "outside the range of representable times".to_owned(),
        };
        Error::usage(format!("invalid time value '{shown}': {reason}"))
    }
}

/// Reads a time value: a Unix timestamp (`1700000000`, `1700000000.25`,
/// `-1.5`; an optional sign, digits, an optional fraction, nothing else) or an
/// RFC 3339 time (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, with `T`, `t` or a
/// space between date and time and `Z` or `z` for UTC).
///
/// Fractions are kept to the nanosecond; further digits are dropped. Leap
/// seconds (`:60`) are refused, as pyzenkit refuses them.
///
/// # Errors
///
/// A usage error (exit 64) naming the value: `invalid time value '12:00':
/// expected a Unix timestamp or an RFC 3339 time such as
/// 2026-11-25T12:00:00Z`, or a more precise reason when the shape is right
/// but a field is not (`month 13 does not exist`).
pub fn parse_time(raw: &str) -> Result<DateTime<Utc>> {
    parse(raw).map_err(|problem| problem.into_error(raw))
}

/// Reads a time value from a configuration value, which may hold either a
/// JSON number (a Unix timestamp) or a string ([`parse_time`]).
///
/// A fractional number keeps the digits it was written with whenever an
/// `f64` can hold them (`1700000000.25`, `1700000000.123456`): the number's
/// shortest decimal form is read, not its binary approximation.
///
/// # Errors
///
/// A usage error naming the value, as [`parse_time`] gives, also for a value
/// that is neither number nor string. A caller reading a configuration file
/// may turn it into a configuration error carrying the file and key.
pub fn time_from_json(value: &Value) -> Result<DateTime<Utc>> {
    match value {
        Value::String(raw) => parse_time(raw),
        Value::Number(number) => {
            let (text, shown) = if let Some(integer) = number.as_i64() {
                (integer.to_string(), integer.to_string())
            } else if let Some(integer) = number.as_u64() {
                (integer.to_string(), integer.to_string())
            } else {
                let float = number.as_f64().unwrap_or(f64::NAN);
                (float_text(float), format!("{float:?}"))
            };
            parse(&text).map_err(|problem| problem.into_error(&shown))
        }
        other => Err(Problem::Syntax.into_error(&other.to_string())),
    }
}

/// Writes a time as RFC 3339 in UTC with `Z`, with a fraction only when it
/// has one (`2026-11-25T12:00:00Z`, `2026-11-25T12:47:12.500Z`); the output
/// reads back with [`parse_time`] to the same time.
pub fn format_time(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A UTC time that binds from a configuration value or command-line text in
/// any form [`parse_time`] and [`time_from_json`] accept, and serializes as
/// [`format_time`] writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeValue(pub DateTime<Utc>);

impl From<DateTime<Utc>> for TimeValue {
    fn from(time: DateTime<Utc>) -> TimeValue {
        TimeValue(time)
    }
}

impl From<TimeValue> for DateTime<Utc> {
    fn from(value: TimeValue) -> DateTime<Utc> {
        value.0
    }
}

impl FromStr for TimeValue {
    type Err = Error;

    /// Reads a time as [`parse_time`] does.
    fn from_str(raw: &str) -> Result<TimeValue> {
        parse_time(raw).map(TimeValue)
    }
}

impl fmt::Display for TimeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_time(&self.0))
    }
}

impl Serialize for TimeValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_time(&self.0))
    }
}

impl<'de> Deserialize<'de> for TimeValue {
    fn deserialize<D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<TimeValue, D::Error> {
        struct TimeVisitor;

        impl TimeVisitor {
            fn read<E: de::Error>(text: &str, shown: &str) -> std::result::Result<TimeValue, E> {
                parse(text)
                    .map(TimeValue)
                    .map_err(|problem| E::custom(problem.into_error(shown).message()))
            }
        }

        impl Visitor<'_> for TimeVisitor {
            type Value = TimeValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Unix timestamp or an RFC 3339 time such as 2026-11-25T12:00:00Z")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<TimeValue, E> {
                let text = v.to_string();
                Self::read(&text, &text)
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<TimeValue, E> {
                let text = v.to_string();
                Self::read(&text, &text)
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<TimeValue, E> {
                Self::read(&float_text(v), &format!("{v:?}"))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<TimeValue, E> {
                Self::read(v, v)
            }
        }

        deserializer.deserialize_any(TimeVisitor)
    }
}

/// The shortest decimal text that reads back as `value`, never in exponent
/// notation, so a fractional timestamp keeps the digits it was written with.
fn float_text(value: f64) -> String {
    format!("{value}")
}

fn parse(raw: &str) -> std::result::Result<DateTime<Utc>, Problem> {
    match parse_timestamp(raw) {
        Some(result) => result,
        None => parse_rfc3339(raw),
    }
}

/// `None` when `raw` does not have the shape of a timestamp. The shapes are
/// those Python's `float()` reads, as pyzenkit reads timestamps: blanks
/// around, a sign, digits with `_` between them, a fraction, an exponent
/// (`1e9`, `1.7E+9`).
fn parse_timestamp(raw: &str) -> Option<std::result::Result<DateTime<Utc>, Problem>> {
    let raw = raw.trim();
    let negative = raw.starts_with('-');
    let unsigned = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let (whole, fraction) = (python_digits(whole)?, python_digits(fraction)?);
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let (whole, fraction) = match exponent {
        None => (whole, fraction),
        Some(exponent) => {
            let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
            let (minus, digits) = match exponent.strip_prefix('-') {
                Some(digits) => (true, digits),
                None => (false, exponent),
            };
            let digits = python_digits(digits)?;
            if digits.is_empty() {
                return None;
            }
            // Only digits are left, so parsing fails only on overflow.
            let Ok(shift) = digits.parse::<i64>() else {
                return Some(Err(Problem::OutOfRange));
            };
            match shift_point(&whole, &fraction, if minus { -shift } else { shift }) {
                Some(shifted) => shifted,
                None => return Some(Err(Problem::OutOfRange)),
            }
        }
    };
    let seconds = if whole.is_empty() {
        0
    } else {
        match whole.parse::<i64>() {
            Ok(seconds) => seconds,
            Err(_) => return Some(Err(Problem::OutOfRange)),
        }
    };
    let nanos = fraction_nanos(fraction.as_bytes());
    let (seconds, nanos) = match (negative, nanos) {
        (false, _) => (seconds, nanos),
        (true, 0) => (-seconds, 0),
        (true, _) => (-seconds - 1, 1_000_000_000 - nanos),
    };
    Some(DateTime::from_timestamp(seconds, nanos).ok_or(Problem::OutOfRange))
}

/// The digits of `text` without the `_` Python allows between two digits;
/// `None` when anything else is in it.
fn python_digits(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut digits = String::with_capacity(text.len());
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => digits.push(char::from(b)),
            b'_' if i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {}
            _ => return None,
        }
    }
    Some(digits)
}

/// The whole and fraction digits of `whole.fraction` times ten to the
/// power `shift`; `None` when the result has too many whole digits to be a
/// time.
fn shift_point(whole: &str, fraction: &str, shift: i64) -> Option<(String, String)> {
    const MAX_WHOLE_DIGITS: i64 = 30;
    let digits = format!("{whole}{fraction}");
    let point = whole.len() as i64 + shift;
    if point > MAX_WHOLE_DIGITS {
        return None;
    }
    if point <= 0 {
        // far below a nanosecond: only zeros reach the fraction's first digits
        let zeros = usize::try_from(-point).unwrap_or(usize::MAX).min(10);
        return Some((String::new(), format!("{}{digits}", "0".repeat(zeros))));
    }
    let point = point as usize;
    if point >= digits.len() {
        let zeros = "0".repeat(point - digits.len());
        return Some((format!("{digits}{zeros}"), String::new()));
    }
    Some((digits[..point].to_string(), digits[point..].to_string()))
}

/// Nanoseconds of the fraction digits after the decimal point; digits past
/// the ninth are dropped.
fn fraction_nanos(digits: &[u8]) -> u32 {
    (0..9).fold(0, |nanos, i| {
        nanos * 10 + digits.get(i).map_or(0, |digit| u32::from(digit - b'0'))
    })
}

/// A cursor over the bytes of an RFC 3339 text.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn number(&mut self, width: usize) -> std::result::Result<u32, Problem> {
        let end = self.at + width;
        let digits = self.bytes.get(self.at..end).ok_or(Problem::Syntax)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(Problem::Syntax);
        }
        self.at = end;
        Ok(digits
            .iter()
            .fold(0, |value, digit| value * 10 + u32::from(digit - b'0')))
    }

    fn one_of(&mut self, accepted: &[u8]) -> std::result::Result<u8, Problem> {
        match self.peek() {
            Some(byte) if accepted.contains(&byte) => {
                self.at += 1;
                Ok(byte)
            }
            _ => Err(Problem::Syntax),
        }
    }
}

fn parse_rfc3339(raw: &str) -> std::result::Result<DateTime<Utc>, Problem> {
    let mut cursor = Cursor {
        bytes: raw.as_bytes(),
        at: 0,
    };
    let year = cursor.number(4)?;
    cursor.one_of(b"-")?;
    let month = cursor.number(2)?;
    cursor.one_of(b"-")?;
    let day = cursor.number(2)?;
    cursor.one_of(b"Tt ")?;
    let hour = cursor.number(2)?;
    cursor.one_of(b":")?;
    let minute = cursor.number(2)?;
    cursor.one_of(b":")?;
    let second = cursor.number(2)?;
    let mut nanos = 0;
    if cursor.peek() == Some(b'.') {
        cursor.at += 1;
        let start = cursor.at;
        while cursor.peek().is_some_and(|byte| byte.is_ascii_digit()) {
            cursor.at += 1;
        }
        if cursor.at == start {
            return Err(Problem::Syntax);
        }
        nanos = fraction_nanos(&cursor.bytes[start..cursor.at]);
    }
    let offset = match cursor.peek() {
        None => return Err(Problem::MissingZone),
        Some(b'Z' | b'z') => {
            cursor.at += 1;
            None
        }
        Some(_) => {
            let sign = cursor.one_of(b"+-")?;
            let hours = cursor.number(2)?;
            cursor.one_of(b":")?;
            let minutes = cursor.number(2)?;
            Some((sign, hours, minutes))
        }
    };
    if cursor.at != cursor.bytes.len() {
        return Err(Problem::Syntax);
    }

    if !(1..=12).contains(&month) {
        return Err(Problem::NoSuch(format!("month {month:02} does not exist")));
    }
    // The year has four digits, so it fits any integer type.
    let date = NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(|| {
        Problem::NoSuch(format!(
            "day {day:02} does not exist in {year:04}-{month:02}"
        ))
    })?;
    for (name, value, limit) in [
        ("hour", hour, 23),
        ("minute", minute, 59),
        ("second", second, 59),
    ] {
        if value > limit {
            return Err(Problem::NoSuch(format!(
                "{name} {value:02} is out of range 00-{limit}"
            )));
        }
    }
    let offset_seconds = match offset {
        None => 0,
        Some((sign, hours, minutes)) => {
            if hours > 23 || minutes > 59 {
                return Err(Problem::NoSuch(format!(
                    "offset {}{hours:02}:{minutes:02} is out of range -23:59 to +23:59",
                    char::from(sign)
                )));
            }
            let magnitude = i64::from(hours * 3600 + minutes * 60);
            if sign == b'-' {
                -magnitude
            } else {
                magnitude
            }
        }
    };
    let local = date
        .and_hms_nano_opt(hour, minute, second, nanos)
        .ok_or(Problem::Syntax)?;
    let utc = local
        .checked_sub_signed(TimeDelta::seconds(offset_seconds))
        .ok_or(Problem::OutOfRange)?;
    Ok(utc.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    /// Seconds and nanoseconds since the epoch, the form the expected values
    /// are written in.
    fn parts(time: DateTime<Utc>) -> (i64, u32) {
        (time.timestamp(), time.timestamp_subsec_nanos())
    }

    #[test]
    fn accepts_unix_timestamps() {
        let table: &[(&str, (i64, u32))] = &[
            ("1700000000", (1_700_000_000, 0)),
            ("0", (0, 0)),
            ("-0", (0, 0)),
            ("-1", (-1, 0)),
            ("+1700000000", (1_700_000_000, 0)),
            ("0001700000000", (1_700_000_000, 0)),
            ("1700000000.25", (1_700_000_000, 250_000_000)),
            ("1700000000.123456", (1_700_000_000, 123_456_000)),
            ("1700000000.000001", (1_700_000_000, 1_000)),
            ("1700000000.123456789", (1_700_000_000, 123_456_789)),
            ("1700000000.1234567899", (1_700_000_000, 123_456_789)),
            ("1700000000.", (1_700_000_000, 0)),
            (".5", (0, 500_000_000)),
            ("-0.5", (-1, 500_000_000)),
            ("-1.25", (-2, 750_000_000)),
            ("-1.0", (-1, 0)),
            ("-86400", (-86_400, 0)),
            ("253402300799", (253_402_300_799, 0)),
        ];
        for (raw, expected) in table {
            let time = parse_time(raw).unwrap_or_else(|err| panic!("{raw}: {err}"));
            assert_eq!(parts(time), *expected, "{raw}");
        }
    }

    #[test]
    fn accepts_rfc3339_times() {
        let table: &[(&str, &str)] = &[
            ("2026-11-25T12:00:00Z", "2026-11-25T12:00:00Z"),
            ("2026-11-25t12:00:00z", "2026-11-25T12:00:00Z"),
            ("2026-11-25 12:00:00Z", "2026-11-25T12:00:00Z"),
            ("2026-11-25 12:00:00z", "2026-11-25T12:00:00Z"),
            ("2026-11-25T12:00:00+00:00", "2026-11-25T12:00:00Z"),
            ("2026-11-25T12:00:00-00:00", "2026-11-25T12:00:00Z"),
            ("2026-11-25T13:47:12.5+01:00", "2026-11-25T12:47:12.500Z"),
            ("2026-11-25T07:17:12.5-05:30", "2026-11-25T12:47:12.500Z"),
            ("2026-11-25T00:30:00+01:00", "2026-11-24T23:30:00Z"),
            ("2026-12-31T20:00:00-05:00", "2027-01-01T01:00:00Z"),
            ("2026-11-25T12:00:00.1Z", "2026-11-25T12:00:00.100Z"),
            ("2026-11-25T12:00:00.000001Z", "2026-11-25T12:00:00.000001Z"),
            (
                "2026-11-25T12:00:00.123456789Z",
                "2026-11-25T12:00:00.123456789Z",
            ),
            (
                "2026-11-25T12:00:00.1234567891Z",
                "2026-11-25T12:00:00.123456789Z",
            ),
            ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
            ("2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z"),
            ("1969-12-31T23:59:59.75Z", "1969-12-31T23:59:59.750Z"),
            ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"),
            ("9999-12-31T23:59:59+23:59", "9999-12-31T00:00:59Z"),
            ("2026-11-25T12:00:00+23:59", "2026-11-24T12:01:00Z"),
        ];
        for (raw, expected) in table {
            let time = parse_time(raw).unwrap_or_else(|err| panic!("{raw}: {err}"));
            assert_eq!(format_time(&time), *expected, "{raw}");
        }
    }

    #[test]
    fn both_forms_name_the_same_instants() {
        let table: &[(&str, (i64, u32))] = &[
            ("1970-01-01T00:00:00Z", (0, 0)),
            ("1970-01-01T01:00:00+01:00", (0, 0)),
            ("1969-12-31T23:59:59.75Z", (-1, 750_000_000)),
            ("2023-11-14T22:13:20.25Z", (1_700_000_000, 250_000_000)),
            ("2026-11-25T13:47:12.5+01:00", (1_795_610_832, 500_000_000)),
            ("0000-01-01T00:00:00Z", (-62_167_219_200, 0)),
        ];
        for (raw, expected) in table {
            assert_eq!(parts(parse_time(raw).unwrap()), *expected, "{raw}");
        }
    }

    #[test]
    fn rejects_what_is_neither_form() {
        let table = [
            "",
            " ",
            "garbage",
            "now",
            "12:00",
            "12:00:00",
            "2026-11-25",
            "2026-11-25T12:00Z",
            "2026-11-25T12:00:00.Z",
            "2026-11-25T12:00:00+0100",
            "2026-11-25T12:00:00+01",
            "2026-11-25T12:00:00+1:00",
            "2026-11-25T12:00:00 +01:00",
            "2026-11-25T12:00:00UTC",
            "2026-11-25X12:00:00Z",
            "2026-11-25T12:00:00Z ",
            " 2026-11-25T12:00:00Z",
            "26-11-25T12:00:00Z",
            "2026-1-25T12:00:00Z",
            "2026/11/25T12:00:00Z",
            "+2026-11-25T12:00:00Z",
            "0x10",
            "1__000",
            "_1",
            "1_",
            "1e",
            "1e+",
            "1,5",
            "--1",
            "+-1",
            "-+1",
            "1.2.3",
            ".",
            "-",
            "+",
            "-.",
            "nan",
            "inf",
            "１７００",
            "2026-11-25T12:00:00.５Z",
            "é",
        ];
        for raw in table {
            let err = parse_time(raw).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Usage, "{raw:?}");
            assert_eq!(err.exit_code(), 64);
            assert_eq!(
                err.message(),
                format!(
                    "invalid time value '{raw}': expected a Unix timestamp or an RFC 3339 time \
                     such as 2026-11-25T12:00:00Z"
                ),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn timestamps_are_read_as_pythons_float_reads_them() {
        let at = |raw: &str| parse_time(raw).unwrap_or_else(|e| panic!("{raw:?}: {e}"));
        let billion = DateTime::from_timestamp(1_000_000_000, 0).unwrap();
        for raw in [
            "1e9",
            "1E9",
            "1e+9",
            "1.0e9",
            "0.1e10",
            "10e8",
            " 1000000000",
            "1000000000\n",
            "1_000_000_000",
        ] {
            assert_eq!(at(raw), billion, "{raw:?}");
        }
        assert_eq!(
            at("1.7e9"),
            DateTime::from_timestamp(1_700_000_000, 0).unwrap()
        );
        assert_eq!(
            at("1700000000.25e0"),
            DateTime::from_timestamp(1_700_000_000, 250_000_000).unwrap()
        );
        assert_eq!(
            at("17000000005e-1"),
            DateTime::from_timestamp(1_700_000_000, 500_000_000).unwrap()
        );
        assert_eq!(
            at("-1.5e0"),
            DateTime::from_timestamp(-2, 500_000_000).unwrap()
        );
        assert_eq!(at("1e-30"), DateTime::from_timestamp(0, 0).unwrap());
        assert_eq!(parse_time("1e99").unwrap_err().exit_code(), 64);
        assert_eq!(
            parse_time("1e99999999999999999999")
                .unwrap_err()
                .exit_code(),
            64
        );
    }

    #[test]
    fn rejects_impossible_fields_saying_which() {
        let table = [
            (
                "2026-11-25T12:00:00",
                "the time zone is missing: end it with Z for UTC or an offset such as +01:00",
            ),
            (
                "2026-11-25 12:00:00.5",
                "the time zone is missing: end it with Z for UTC or an offset such as +01:00",
            ),
            ("2026-13-01T00:00:00Z", "month 13 does not exist"),
            ("2026-00-10T00:00:00Z", "month 00 does not exist"),
            ("2026-02-29T00:00:00Z", "day 29 does not exist in 2026-02"),
            ("1900-02-29T00:00:00Z", "day 29 does not exist in 1900-02"),
            ("2026-11-31T00:00:00Z", "day 31 does not exist in 2026-11"),
            ("2026-11-00T00:00:00Z", "day 00 does not exist in 2026-11"),
            ("2026-11-25T24:00:00Z", "hour 24 is out of range 00-23"),
            ("2026-11-25T12:60:00Z", "minute 60 is out of range 00-59"),
            ("2026-11-25T23:59:60Z", "second 60 is out of range 00-59"),
            (
                "2026-11-25T12:00:00+24:00",
                "offset +24:00 is out of range -23:59 to +23:59",
            ),
            (
                "2026-11-25T12:00:00-01:60",
                "offset -01:60 is out of range -23:59 to +23:59",
            ),
            (
                "99999999999999999999",
                "outside the range of representable times",
            ),
            (
                "-99999999999999999999.5",
                "outside the range of representable times",
            ),
            (
                "9223372036854775807",
                "outside the range of representable times",
            ),
            (
                "-9223372036854775807.5",
                "outside the range of representable times",
            ),
        ];
        for (raw, reason) in table {
            let err = parse_time(raw).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Usage, "{raw:?}");
            assert_eq!(
                err.message(),
                format!("invalid time value '{raw}': {reason}")
            );
        }
    }

    #[test]
    fn json_numbers_and_strings_are_times() {
        let table: &[(Value, (i64, u32))] = &[
            (json!(1700000000), (1_700_000_000, 0)),
            (json!(-1), (-1, 0)),
            (json!(1700000000.25), (1_700_000_000, 250_000_000)),
            (json!(1700000000.123456), (1_700_000_000, 123_456_000)),
            (json!(1700000000.5), (1_700_000_000, 500_000_000)),
            (json!(-1.5), (-2, 500_000_000)),
            (json!(0.000001), (0, 1_000)),
            (json!(1.7e9), (1_700_000_000, 0)),
            (json!("1700000000.25"), (1_700_000_000, 250_000_000)),
            (
                json!("2026-11-25T13:47:12.5+01:00"),
                (1_795_610_832, 500_000_000),
            ),
        ];
        for (value, expected) in table {
            let time = time_from_json(value).unwrap_or_else(|err| panic!("{value}: {err}"));
            assert_eq!(parts(time), *expected, "{value}");
        }
    }

    #[test]
    fn json_values_of_other_kinds_are_refused() {
        let table = [
            (json!(true), "invalid time value 'true': expected a Unix timestamp or an RFC 3339 time such as 2026-11-25T12:00:00Z"),
            (json!(null), "invalid time value 'null': expected a Unix timestamp or an RFC 3339 time such as 2026-11-25T12:00:00Z"),
            (json!([1]), "invalid time value '[1]': expected a Unix timestamp or an RFC 3339 time such as 2026-11-25T12:00:00Z"),
            (json!({}), "invalid time value '{}': expected a Unix timestamp or an RFC 3339 time such as 2026-11-25T12:00:00Z"),
            (json!("tomorrow"), "invalid time value 'tomorrow': expected a Unix timestamp or an RFC 3339 time such as 2026-11-25T12:00:00Z"),
            (json!(u64::MAX), "invalid time value '18446744073709551615': outside the range of representable times"),
            (json!(1e300), "invalid time value '1e300': outside the range of representable times"),
        ];
        for (value, message) in table {
            let err = time_from_json(&value).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Usage, "{value}");
            assert_eq!(err.message(), message);
        }
    }

    #[test]
    fn format_time_reads_back() {
        for raw in [
            "2026-11-25T12:00:00Z",
            "2026-11-25T12:47:12.500Z",
            "2026-11-25T12:47:12.000001Z",
            "2026-11-25T12:47:12.000000001Z",
            "1969-12-31T23:59:59.750Z",
        ] {
            let time = parse_time(raw).unwrap();
            assert_eq!(format_time(&time), raw);
            assert_eq!(parse_time(&format_time(&time)).unwrap(), time);
        }
    }

    #[test]
    fn time_value_binds_from_numbers_and_strings() {
        #[derive(Debug, serde::Deserialize)]
        struct Section {
            time_high: Option<TimeValue>,
        }
        let table: &[(&str, (i64, u32))] = &[
            (r#"{"time_high": 1700000000}"#, (1_700_000_000, 0)),
            (r#"{"time_high": -5}"#, (-5, 0)),
            (
                r#"{"time_high": 1700000000.25}"#,
                (1_700_000_000, 250_000_000),
            ),
            (
                r#"{"time_high": 1700000000.123456}"#,
                (1_700_000_000, 123_456_000),
            ),
            (
                r#"{"time_high": "2026-11-25T13:47:12.5+01:00"}"#,
                (1_795_610_832, 500_000_000),
            ),
        ];
        for (text, expected) in table {
            let section: Section = serde_json::from_str(text).unwrap();
            assert_eq!(parts(section.time_high.unwrap().0), *expected, "{text}");
        }
        let section: Section = serde_json::from_str(r#"{"time_high": null}"#).unwrap();
        assert_eq!(section.time_high, None);
    }

    #[test]
    fn time_value_refuses_with_the_parse_message() {
        let err = serde_json::from_value::<TimeValue>(json!("12:00")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid time value '12:00': expected a Unix timestamp or an RFC 3339 time such as \
             2026-11-25T12:00:00Z"
        );
        let err = serde_json::from_value::<TimeValue>(json!(1e300)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid time value '1e300': outside the range of representable times"
        );
        let err = serde_json::from_value::<TimeValue>(json!(true)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid type: boolean `true`, expected a Unix timestamp or an RFC 3339 time such as \
             2026-11-25T12:00:00Z"
        );
    }

    #[test]
    fn time_value_serializes_as_rfc3339() {
        let value: TimeValue = "2026-11-25T13:47:12.5+01:00".parse().unwrap();
        assert_eq!(value.to_string(), "2026-11-25T12:47:12.500Z");
        let json = serde_json::to_value(value).unwrap();
        assert_eq!(json, json!("2026-11-25T12:47:12.500Z"));
        assert_eq!(serde_json::from_value::<TimeValue>(json).unwrap(), value);
        let time: DateTime<Utc> = value.into();
        assert_eq!(TimeValue::from(time), value);
        assert_eq!(
            "x".parse::<TimeValue>().unwrap_err().kind(),
            ErrorKind::Usage
        );
    }
}
