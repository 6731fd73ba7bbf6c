//! Re-exports and helpers for the code the macros generate. Not public API.

use std::fmt::Display;
use std::str::FromStr;
use std::time::Duration;

pub use clap;
pub use inventory;
pub use serde;
pub use serde_json;

use serde::de::DeserializeOwned;
use serde::Serialize;
pub use serde_json::Value;

use crate::cli::text_json;
use crate::duration::{DurationError, Text};
use crate::ErrorKind;
pub use crate::{Error, Result};

pub use crate::cli::value_parser as json_parser;

/// Serializes a default value of configuration key `key`.
pub fn default_json<T: Serialize>(key: &str, value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| {
        let message = format!("default of configuration key `{key}` cannot be stored: {e}");
        Error::with_source(ErrorKind::Setup, message, e)
    })
}

/// Parses a string-literal default of configuration key `key` with `FromStr`.
pub fn parse_default<T>(key: &str, raw: &str) -> Result<T>
where
    T: FromStr,
    T::Err: Display,
{
    T::from_str(raw).map_err(|e| {
        Error::setup(format!(
            "default {raw:?} of configuration key `{key}` is invalid: {e}"
        ))
    })
}

/// Reads persistent-state field `key` from its stored JSON value.
pub fn state_field<T: DeserializeOwned>(key: &str, value: &Value) -> Result<T> {
    serde_json::from_value(value.clone()).map_err(|e| {
        let message = format!("persistent state key `{key}` has a wrong value: {e}");
        Error::with_source(ErrorKind::Setup, message, e)
    })
}

pub use crate::app::{ActionInfo, App, AppInfo, AppKind, CommandInfo, Hooks};
pub use crate::config::{Config, EnvKey, UnknownKey};
pub use crate::context::Context;
pub use crate::paths::PathOverrides;
pub use serde_json::Map;
pub use std::result::Result as StdResult;

/// How an environment variable's text becomes a key's JSON value; `Err`
/// says why the text is no value of the key.
pub type EnvParse = fn(&str) -> StdResult<Value, String>;

/// What generated code does with a configuration-only key (or a flag) of
/// type `T`.
///
/// Each field's operations are built once, by a `const`, so that a field
/// type lacking a trait gives one error at the field instead of one per
/// generated method.
pub struct ConfigOps<T> {
    /// Reads the field from the merged configuration.
    pub get: fn(&Config, &str) -> Result<T>,
    /// Stores a default as JSON.
    pub to_json: fn(&str, &T) -> Result<Value>,
    /// The keys inside the field's value that binding it ignores.
    pub unknown: fn(&Config, &str) -> Vec<UnknownKey>,
    /// Reads the value from an environment variable (`#[zen(env = "...")]`).
    pub env: EnvParse,
}

/// What generated code does with an option holding one value (`T`) or an
/// optional value (`Option<T>`).
pub struct ValueOps<T> {
    /// Reads the field from the merged configuration.
    pub get: fn(&Config, &str) -> Result<T>,
    /// Stores a default as JSON.
    pub to_json: fn(&str, &T) -> Result<Value>,
    /// Parses a string-literal default.
    pub parse: fn(&str, &str) -> Result<T>,
    /// The option's value parser.
    pub parser: fn() -> clap::builder::ValueParser,
    /// The keys inside the field's value that binding it ignores.
    pub unknown: fn(&Config, &str) -> Vec<UnknownKey>,
    /// Reads the value from an environment variable.
    pub env: EnvParse,
}

/// What generated code does with a repeatable option (`Vec<T>`,
/// `Option<Vec<T>>`).
pub struct ListOps<T> {
    /// Reads the field from the merged configuration.
    pub get: fn(&Config, &str) -> Result<T>,
    /// Stores a default as JSON.
    pub to_json: fn(&str, &T) -> Result<Value>,
    /// The value parser of one occurrence.
    pub parser: fn() -> clap::builder::ValueParser,
    /// The keys inside the field's value that binding it ignores.
    pub unknown: fn(&Config, &str) -> Vec<UnknownKey>,
    /// Reads the values from an environment variable: comma-separated.
    pub env: EnvParse,
}

fn get_key<T: DeserializeOwned>(config: &Config, key: &str) -> Result<T> {
    config.get::<T>(key)
}

fn unknown_in<T: DeserializeOwned>(config: &Config, key: &str) -> Vec<UnknownKey> {
    config.unknown_in::<T>(key)
}

fn parse_some<T>(key: &str, raw: &str) -> Result<Option<T>>
where
    T: FromStr,
    T::Err: Display,
{
    parse_default::<T>(key, raw).map(Some)
}

/// The values of a list from an environment variable: comma-separated,
/// each read by `one`.
fn env_list(raw: &str, one: fn(&str) -> StdResult<Value, String>) -> StdResult<Value, String> {
    raw.split(',')
        .map(|item| one(item.trim()))
        .collect::<StdResult<Vec<Value>, String>>()
        .map(Value::Array)
}

fn env_many<T>(raw: &str) -> StdResult<Value, String>
where
    T: FromStr + Serialize,
    T::Err: Display,
{
    env_list(raw, text_json::<T>)
}

/// A flag from an environment variable.
fn env_flag(raw: &str) -> StdResult<Value, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(Value::Bool(true)),
        "0" | "false" | "no" | "off" => Ok(Value::Bool(false)),
        _ => Err(format!(
            "{raw:?} is no flag value: expected true or false (or 1/0, yes/no, on/off)"
        )),
    }
}

/// A configuration-only key from an environment variable: the text as JSON
/// when it is a value of `T` (a number, `true`, an object), else the text as
/// a string.
fn env_config<T: DeserializeOwned>(raw: &str) -> StdResult<Value, String> {
    if let Ok(value) = serde_json::from_str::<Value>(raw) {
        if T::deserialize(&value).is_ok() {
            return Ok(value);
        }
    }
    let text = Value::String(raw.to_string());
    T::deserialize(&text)
        .map(|_| text)
        .map_err(|e| e.to_string())
}

/// Operations of an option holding one value of `T`.
pub const fn cli_one<T>() -> ValueOps<T>
where
    T: FromStr + Serialize + DeserializeOwned + 'static,
    T::Err: Display,
{
    ValueOps {
        get: get_key::<T>,
        to_json: default_json::<T>,
        parse: parse_default::<T>,
        parser: json_parser::<T>,
        unknown: unknown_in::<T>,
        env: text_json::<T>,
    }
}

/// Operations of an option with an optional value of `T`.
pub const fn cli_optional<T>() -> ValueOps<Option<T>>
where
    T: FromStr + Serialize + DeserializeOwned + 'static,
    T::Err: Display,
{
    ValueOps {
        get: get_key::<Option<T>>,
        to_json: default_json::<Option<T>>,
        parse: parse_some::<T>,
        parser: json_parser::<T>,
        unknown: unknown_in::<Option<T>>,
        env: text_json::<T>,
    }
}

/// Operations of a repeatable option collecting values of `T`.
pub const fn cli_many<T>() -> ListOps<Vec<T>>
where
    T: FromStr + Serialize + DeserializeOwned + 'static,
    T::Err: Display,
{
    ListOps {
        get: get_key::<Vec<T>>,
        to_json: default_json::<Vec<T>>,
        parser: json_parser::<T>,
        unknown: unknown_in::<Vec<T>>,
        env: env_many::<T>,
    }
}

/// Operations of a repeatable option that is `None` unless given.
pub const fn cli_optional_many<T>() -> ListOps<Option<Vec<T>>>
where
    T: FromStr + Serialize + DeserializeOwned + 'static,
    T::Err: Display,
{
    ListOps {
        get: get_key::<Option<Vec<T>>>,
        to_json: default_json::<Option<Vec<T>>>,
        parser: json_parser::<T>,
        unknown: unknown_in::<Option<Vec<T>>>,
        env: env_many::<T>,
    }
}

/// Operations of a flag (`bool`, `ArgAction::SetTrue` or `SetFalse`).
pub const fn cli_flag() -> ConfigOps<bool> {
    ConfigOps {
        env: env_flag,
        ..config_key::<bool>()
    }
}

/// Operations of a configuration-only key.
pub const fn config_key<T: Serialize + DeserializeOwned + 'static>() -> ConfigOps<T> {
    ConfigOps {
        get: get_key::<T>,
        to_json: default_json::<T>,
        unknown: unknown_in::<T>,
        env: env_config::<T>,
    }
}

/// The option's value parser, offering `names` as its possible values
/// (shown in `--help`) when the value is an enum deriving `zenkit::Value`.
pub fn option_parser(
    parser: clap::builder::ValueParser,
    names: Option<&'static [&'static str]>,
) -> clap::builder::ValueParser {
    use clap::builder::{PossibleValuesParser, TypedValueParser};
    match names {
        Some(names) => PossibleValuesParser::new(names).map(Value::String).into(),
        None => parser,
    }
}

pub use crate::value::{
    deserialize_name, is_name_of, parse_name, EnumValue, NoNames, Probe, UnknownName,
};

/// The shapes of a duration field: `std::time::Duration`, or an `Option`
/// or `Vec` of it.
pub trait DurationShape: Sized + 'static {
    /// How the value is kept as JSON: as text.
    type Repr: Serialize + DeserializeOwned;
    /// The value as it is kept.
    fn to_repr(&self) -> Self::Repr;
    /// The value from how it is kept.
    fn from_repr(repr: Self::Repr) -> Self;
    /// The value from text: a duration, or comma-separated durations.
    fn from_text(text: &str) -> StdResult<Self, DurationError>;
}

impl DurationShape for Duration {
    type Repr = Text;
    fn to_repr(&self) -> Text {
        Text(*self)
    }
    fn from_repr(repr: Text) -> Duration {
        repr.0
    }
    fn from_text(text: &str) -> StdResult<Duration, DurationError> {
        crate::duration::parse(text)
    }
}

impl DurationShape for Option<Duration> {
    type Repr = Option<Text>;
    fn to_repr(&self) -> Option<Text> {
        self.map(Text)
    }
    fn from_repr(repr: Option<Text>) -> Option<Duration> {
        repr.map(|t| t.0)
    }
    fn from_text(text: &str) -> StdResult<Option<Duration>, DurationError> {
        crate::duration::parse(text).map(Some)
    }
}

impl DurationShape for Vec<Duration> {
    type Repr = Vec<Text>;
    fn to_repr(&self) -> Vec<Text> {
        self.iter().copied().map(Text).collect()
    }
    fn from_repr(repr: Vec<Text>) -> Vec<Duration> {
        repr.into_iter().map(|t| t.0).collect()
    }
    fn from_text(text: &str) -> StdResult<Vec<Duration>, DurationError> {
        text.split(',').map(crate::duration::parse).collect()
    }
}

impl DurationShape for Option<Vec<Duration>> {
    type Repr = Option<Vec<Text>>;
    fn to_repr(&self) -> Option<Vec<Text>> {
        self.as_ref().map(|v| v.to_repr())
    }
    fn from_repr(repr: Option<Vec<Text>>) -> Option<Vec<Duration>> {
        repr.map(Vec::<Duration>::from_repr)
    }
    fn from_text(text: &str) -> StdResult<Option<Vec<Duration>>, DurationError> {
        Vec::<Duration>::from_text(text).map(Some)
    }
}

fn duration_get<T: DurationShape>(config: &Config, key: &str) -> Result<T> {
    config.get::<T::Repr>(key).map(T::from_repr)
}

fn duration_json<T: DurationShape>(key: &str, value: &T) -> Result<Value> {
    default_json(key, &value.to_repr())
}

/// Parses the string-literal default of duration key `key`.
pub fn duration_default<T: DurationShape>(key: &str, raw: &str) -> Result<T> {
    T::from_text(raw).map_err(|e| {
        Error::setup(format!(
            "default {raw:?} of configuration key `{key}` is invalid: {e}"
        ))
    })
}

fn duration_env<T: DurationShape>(raw: &str) -> StdResult<Value, String> {
    let value = T::from_text(raw).map_err(|e| e.to_string())?;
    serde_json::to_value(value.to_repr()).map_err(|e| e.to_string())
}

fn no_unknown(_: &Config, _: &str) -> Vec<UnknownKey> {
    Vec::new()
}

/// The value parser of a duration option: the text as zenkit writes it.
fn duration_parser() -> clap::builder::ValueParser {
    clap::builder::ValueParser::new(|raw: &str| {
        crate::duration::parse(raw)
            .map(|d| Value::String(crate::duration::format(&d)))
            .map_err(|e| e.to_string())
    })
}

/// Operations of an option holding a duration or an optional one.
pub const fn duration_one<T: DurationShape>() -> ValueOps<T> {
    ValueOps {
        get: duration_get::<T>,
        to_json: duration_json::<T>,
        parse: duration_default::<T>,
        parser: duration_parser,
        unknown: no_unknown,
        env: duration_env::<T>,
    }
}

/// Operations of a repeatable option collecting durations.
pub const fn duration_many<T: DurationShape>() -> ListOps<T> {
    ListOps {
        get: duration_get::<T>,
        to_json: duration_json::<T>,
        parser: duration_parser,
        unknown: no_unknown,
        env: duration_env::<T>,
    }
}

/// Operations of a configuration-only duration key.
pub const fn duration_key<T: DurationShape>() -> ConfigOps<T> {
    ConfigOps {
        get: duration_get::<T>,
        to_json: duration_json::<T>,
        unknown: no_unknown,
        env: duration_env::<T>,
    }
}

/// A bound of `#[zen(range = ...)]`, or a number checked against one: an
/// integer or a floating-point number, compared as `f64` when they differ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// An integer (a `u128` beyond `i128::MAX` is `i128::MAX`).
    Int(i128),
    /// A floating-point number.
    Float(f64),
}

impl Bound {
    fn as_f64(self) -> f64 {
        match self {
            Bound::Int(n) => n as f64,
            Bound::Float(x) => x,
        }
    }
}

impl PartialOrd for Bound {
    fn partial_cmp(&self, other: &Bound) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Bound::Int(a), Bound::Int(b)) => a.partial_cmp(b),
            _ => self.as_f64().partial_cmp(&other.as_f64()),
        }
    }
}

macro_rules! bound_from {
    (int: $($t:ty)*; float: $($f:ty)*) => {
        $(impl From<$t> for Bound {
            fn from(n: $t) -> Bound {
                Bound::Int(i128::try_from(n).unwrap_or(i128::MAX))
            }
        })*
        $(impl From<$f> for Bound {
            fn from(x: $f) -> Bound {
                Bound::Float(f64::from(x))
            }
        })*
    };
}

bound_from!(int: i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize; float: f32 f64);

/// The bounds of `#[zen(range = ...)]`.
pub struct Range {
    /// The lower bound, if any (always inclusive).
    pub start: Option<Bound>,
    /// The upper bound, if any.
    pub end: Option<Bound>,
    /// Whether the upper bound is inclusive (`..=`).
    pub inclusive: bool,
    /// The range as written, for messages.
    pub text: &'static str,
}

impl Range {
    fn contains(&self, n: Bound) -> bool {
        let above = self.start.is_none_or(|start| n >= start);
        let below = self
            .end
            .is_none_or(|end| if self.inclusive { n <= end } else { n < end });
        above && below
    }
}

/// The numbers a `#[zen(range = ...)]` field holds: a number, or an
/// `Option` or `Vec` of numbers.
pub trait Numbers {
    /// The first number of the value outside `range`, with its index in a
    /// list, as written; only that one is formatted.
    fn outside(&self, range: &Range) -> Option<(Option<usize>, String)>;
}

macro_rules! number_in_range {
    ($($t:ty)*) => {$(
        impl Numbers for $t {
            fn outside(&self, range: &Range) -> Option<(Option<usize>, String)> {
                (!range.contains(Bound::from(*self))).then(|| (None, self.to_string()))
            }
        }
    )*};
}

number_in_range!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64);

impl<T: Numbers> Numbers for Option<T> {
    fn outside(&self, range: &Range) -> Option<(Option<usize>, String)> {
        self.as_ref().and_then(|value| value.outside(range))
    }
}

impl<T: Numbers> Numbers for Vec<T> {
    fn outside(&self, range: &Range) -> Option<(Option<usize>, String)> {
        self.iter()
            .enumerate()
            .find_map(|(i, value)| value.outside(range).map(|(_, text)| (Some(i), text)))
    }
}

/// Reads key `key` and checks that its numbers are in `range`: a value out
/// of it is a usage error naming the option when the command line gave it,
/// else a configuration error located where it was set.
pub fn get_in_range<T: DeserializeOwned + Numbers>(
    config: &Config,
    key: &str,
    range: Range,
) -> Result<T> {
    let value = config.get::<T>(key)?;
    if let Some((index, text)) = value.outside(&range) {
        let path = match index {
            Some(i) => format!("{key}[{i}]"),
            None => key.to_string(),
        };
        return Err(config.error_for(&path, format!("{text} is out of the range {}", range.text)));
    }
    Ok(value)
}

/// What generated code does with one persistent-state field of type `T`.
pub struct StateOps<T> {
    /// Reads the field from its stored JSON value.
    pub load: fn(&str, &Value) -> Result<T>,
    /// Stores the field as JSON.
    pub save: fn(&str, &T) -> Result<Value>,
}

fn state_json<T: Serialize>(key: &str, value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| {
        let message = format!("persistent state key `{key}` cannot be stored: {e}");
        Error::with_source(ErrorKind::Runtime, message, e)
    })
}

/// Operations of a persistent-state field.
pub const fn state_key<T: Serialize + DeserializeOwned + 'static>() -> StateOps<T> {
    StateOps {
        load: state_field::<T>,
        save: state_json::<T>,
    }
}

/// Passes the context on to a hook method unchanged; generated code calls
/// it so that a hook taking another type is reported at its parameter.
pub fn context(ctx: &mut Context) -> &mut Context {
    ctx
}

#[cfg(feature = "daemon")]
mod daemon;
#[cfg(feature = "daemon")]
pub use daemon::*;

pub use crate::plugin::{Plugin, RegisteredOnce, Registration};

pub use crate::schema::{KeySchema, Schema, SchemaGenerator};
pub use schemars;

/// Picks the schema of a field type `T` in generated code, by autoref
/// specialization: `(&&&SchemaProbe::<T>::new()).zenkit_schema(generator)`
/// takes [`ValueSchema`] when `T` implements it, else `JsonSchema`, else
/// none (the key is then described from its default's JSON type), so a
/// field type without a schema still compiles.
pub struct SchemaProbe<T>(std::marker::PhantomData<T>);

impl<T> SchemaProbe<T> {
    /// The probe of `T`.
    pub const fn new() -> Self {
        SchemaProbe(std::marker::PhantomData)
    }
}

impl<T> Default for SchemaProbe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The schema of a value type that zenkit describes itself, checked before
/// `JsonSchema`: the value types whose configuration form is not their
/// serde form as `schemars` sees it (enums of `#[derive(zenkit::Value)]`,
/// durations) implement it.
pub trait ValueSchema {
    /// The schema of the type's values in a configuration file.
    fn value_schema(generator: &mut SchemaGenerator) -> Schema;
}

impl<T: ValueSchema> ValueSchema for Option<T> {
    fn value_schema(generator: &mut SchemaGenerator) -> Schema {
        let inner = T::value_schema(generator);
        schemars::json_schema!({"anyOf": [inner, {"type": "null"}]})
    }
}

impl<T: ValueSchema> ValueSchema for Vec<T> {
    fn value_schema(generator: &mut SchemaGenerator) -> Schema {
        let inner = T::value_schema(generator);
        schemars::json_schema!({"type": "array", "items": inner})
    }
}

/// The first choice of [`SchemaProbe`]: [`ValueSchema`].
pub trait SchemaByValue {
    /// The schema of the probed type.
    fn zenkit_schema(&self, generator: &mut SchemaGenerator) -> Option<Schema>;
}

impl<T: ValueSchema> SchemaByValue for &&SchemaProbe<T> {
    fn zenkit_schema(&self, generator: &mut SchemaGenerator) -> Option<Schema> {
        Some(T::value_schema(generator))
    }
}

/// The second choice of [`SchemaProbe`]: `JsonSchema`.
pub trait SchemaByJsonSchema {
    /// The schema of the probed type.
    fn zenkit_schema(&self, generator: &mut SchemaGenerator) -> Option<Schema>;
}

impl<T: schemars::JsonSchema> SchemaByJsonSchema for &SchemaProbe<T> {
    fn zenkit_schema(&self, generator: &mut SchemaGenerator) -> Option<Schema> {
        Some(generator.subschema_for::<T>())
    }
}

/// The last choice of [`SchemaProbe`]: no schema.
pub trait SchemaByDefault {
    /// No schema: the key is described from its default.
    fn zenkit_schema(&self, generator: &mut SchemaGenerator) -> Option<Schema>;
}

impl<T> SchemaByDefault for SchemaProbe<T> {
    fn zenkit_schema(&self, _generator: &mut SchemaGenerator) -> Option<Schema> {
        None
    }
}

/// The schema of an enum deriving `zenkit::Value`: one of its names.
pub fn enum_schema<E: EnumValue>() -> Schema {
    schemars::json_schema!({"type": "string", "enum": E::NAMES})
}

impl ValueSchema for std::time::Duration {
    fn value_schema(_: &mut SchemaGenerator) -> Schema {
        crate::duration::schema()
    }
}

/// `schema` with the bounds of a field's `range` (`start`, `end`, whether
/// `end` is in the range) on its numbers, also inside an optional value or
/// a list.
pub fn bounded(
    schema: Option<Schema>,
    start: Option<f64>,
    end: Option<f64>,
    inclusive: bool,
) -> Option<Schema> {
    schema.map(|schema| crate::schema::bounded(schema, start, end, inclusive))
}

/// The schema of configuration key `key` with the help `help`; generated
/// code passes the probe's choice.
pub fn key_schema(key: &str, schema: Option<Schema>, help: &str) -> KeySchema {
    KeySchema {
        key: key.to_string(),
        schema,
        help: help.to_string(),
    }
}

/// Gathers the errors of binding one field; generated `bind_checked` calls
/// it for each field, so every wrong key is reported, not the first only.
pub fn bind_field<T>(slot: &mut T, bound: Result<T>, errors: &mut Vec<Error>) {
    match bound {
        Ok(value) => *slot = value,
        Err(err) => errors.push(err),
    }
}

pub use crate::app::{CommandParam, ParamPlace, ParamShape};
pub use crate::script::CommandArgs;

/// A command's parameter, passed on as it is (spanned on the author's
/// parameter type, so a wrong type is reported there).
pub fn command_param<T>(value: T) -> T {
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn environment_texts_become_values_of_the_key() {
        assert_eq!(env_flag("Yes"), Ok(json!(true)));
        assert_eq!(env_flag("0"), Ok(json!(false)));
        assert!(env_flag("maybe")
            .unwrap_err()
            .contains("expected true or false"));
        assert_eq!((cli_one::<u16>().env)("8080"), Ok(json!(8080)));
        assert!((cli_one::<u16>().env)("http").is_err());
        assert_eq!((cli_many::<u8>().env)("1, 2,3"), Ok(json!([1, 2, 3])));
        assert_eq!(
            (cli_optional_many::<String>().env)("a,b"),
            Ok(json!(["a", "b"]))
        );
        // a configuration-only key: JSON when it fits, else the text
        assert_eq!(env_config::<u32>("12"), Ok(json!(12)));
        assert_eq!(env_config::<String>("12"), Ok(json!("12")));
        assert_eq!(env_config::<Vec<u8>>("[1, 2]"), Ok(json!([1, 2])));
        assert_eq!(
            env_config::<Map<String, Value>>("{\"a\": true}"),
            Ok(json!({"a": true}))
        );
        assert!(env_config::<u32>("many").is_err());
        assert_eq!(
            (duration_key::<Option<Duration>>().env)("90"),
            Ok(json!("1m 30s"))
        );
    }

    #[test]
    fn ranges_hold_their_bounds() {
        fn range(start: Option<Bound>, end: Option<Bound>, inclusive: bool) -> Range {
            Range {
                start,
                end,
                inclusive,
                text: "",
            }
        }
        let (int, float) = (Bound::Int, Bound::Float);
        assert!(range(Some(int(1)), Some(int(10)), true).contains(int(10)));
        assert!(!range(Some(int(1)), Some(int(10)), false).contains(int(10)));
        assert!(!range(Some(int(1)), Some(int(10)), true).contains(int(0)));
        assert!(range(None, Some(int(9)), true).contains(int(-5)));
        assert!(range(Some(float(0.5)), None, false).contains(float(1e9)));
        // an integer range on a floating-point field, and the other way
        assert!(range(Some(int(1)), Some(int(2)), true).contains(float(1.5)));
        assert!(!range(Some(int(1)), Some(int(2)), true).contains(float(2.5)));
        assert!(range(Some(float(0.5)), Some(float(1.5)), true).contains(int(1)));
        assert_eq!(Bound::from(u128::MAX), int(i128::MAX));
        let two_to_five = range(Some(int(2)), Some(int(5)), true);
        assert_eq!(
            Some(vec![3_u8, 7]).outside(&two_to_five),
            Some((Some(1), "7".to_string()))
        );
        assert_eq!(Some(vec![3_u8, 4]).outside(&two_to_five), None);
        assert_eq!(
            0.1_f32.outside(&two_to_five),
            Some((None, "0.1".to_string()))
        );
        assert_eq!(Option::<f64>::None.outside(&two_to_five), None);
    }

    #[test]
    fn durations_keep_their_text_and_read_seconds() {
        let ops = duration_one::<Duration>();
        assert_eq!(
            (ops.to_json)("t", &Duration::from_secs(5400)).unwrap(),
            json!("1h 30m")
        );
        assert_eq!((ops.parse)("t", "5m").unwrap(), Duration::from_secs(300));
        let err = (ops.parse)("t", "soon").unwrap_err();
        assert!(
            err.message().starts_with(
                "default \"soon\" of configuration key `t` is invalid: invalid duration"
            ),
            "{err}"
        );
        assert_eq!(
            Vec::<Duration>::from_text("1s,2m").unwrap(),
            [Duration::from_secs(1), Duration::from_secs(120)]
        );
    }

    #[test]
    fn enum_options_offer_their_names() {
        let plain = option_parser(json_parser::<String>(), None);
        assert!(plain.possible_values().is_none());
        let named = option_parser(json_parser::<String>(), Some(&["fast", "safe"]));
        let names: Vec<String> = named
            .possible_values()
            .unwrap()
            .map(|v| v.get_name().to_string())
            .collect();
        assert_eq!(names, ["fast", "safe"]);
    }
}
