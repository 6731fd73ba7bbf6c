//! Re-exports and helpers for the code the macros generate. Not public API.

use std::fmt::Display;
use std::str::FromStr;

pub use clap;
pub use inventory;
pub use serde;
pub use serde_json;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::{Error, Result};

/// A clap value parser that parses `T` from the argument and stores it as a
/// JSON value, so the runtime can merge it as a configuration layer.
pub fn json_parser<T>() -> clap::builder::ValueParser
where
    T: FromStr + Serialize + 'static,
    T::Err: Display,
{
    clap::builder::ValueParser::new(|raw: &str| -> std::result::Result<Value, String> {
        let value = T::from_str(raw).map_err(|e| e.to_string())?;
        serde_json::to_value(value).map_err(|e| e.to_string())
    })
}

/// Serializes a default value of configuration key `key`.
pub fn default_json<T: Serialize>(key: &str, value: &T) -> Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::setup(format!("default of configuration key `{key}` cannot be stored: {e}")))
}

/// Parses a string-literal default of configuration key `key` with `FromStr`.
pub fn parse_default<T>(key: &str, raw: &str) -> Result<T>
where
    T: FromStr,
    T::Err: Display,
{
    T::from_str(raw)
        .map_err(|e| Error::setup(format!("default {raw:?} of configuration key `{key}` is invalid: {e}")))
}

/// Reads persistent-state field `key` from its stored JSON value.
pub fn state_field<T: DeserializeOwned>(key: &str, value: &Value) -> Result<T> {
    serde_json::from_value(value.clone())
        .map_err(|e| Error::setup(format!("persistent state key `{key}` has a wrong value: {e}")))
}
