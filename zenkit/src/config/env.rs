//! The environment layer: configuration keys read from environment
//! variables (`#[zen(env = "VAR")]`), above the files and below the
//! command line.

use std::sync::Arc;

use serde_json::Value;

use crate::{Error, ErrorOrigin, Result};

/// A configuration key that an environment variable can set.
#[derive(Debug, Clone, Copy)]
pub struct EnvKey {
    /// The top-level configuration key.
    pub key: &'static str,
    /// The environment variable.
    pub var: &'static str,
    /// Reads the variable's text as the key's value; `Err` says why it is
    /// none.
    pub parse: fn(&str) -> std::result::Result<Value, String>,
}

/// A key's value read from its environment variable.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvValue {
    /// The environment variable.
    pub var: Arc<str>,
    /// The top-level configuration key it sets.
    pub key: String,
    /// The value.
    pub value: Value,
}

/// Reads the variables of `keys` from the process environment with `get`
/// (`std::env::var_os` at run time). A variable that is not set, or set to
/// the empty string, sets nothing; a value that is not valid Unicode or not
/// a value of its key is a configuration error naming the variable.
pub fn read(
    keys: &[EnvKey],
    get: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<Vec<EnvValue>> {
    let mut values = Vec::new();
    for env in keys {
        let Some(raw) = get(env.var) else { continue };
        if raw.is_empty() {
            continue;
        }
        let bad = |why: &str| {
            Error::config(format!(
                "environment variable {}: configuration key '{}': {why}; correct or unset the variable",
                env.var, env.key
            ))
            .at(ErrorOrigin::for_key(env.key))
        };
        let Some(text) = raw.to_str() else {
            return Err(bad("the value is not valid UTF-8"));
        };
        let value = (env.parse)(text).map_err(|why| bad(&why.replace(['\r', '\n'], " ")))?;
        values.push(EnvValue {
            var: env.var.into(),
            key: env.key.to_string(),
            value,
        });
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn number(text: &str) -> std::result::Result<Value, String> {
        text.parse::<u32>()
            .map(Value::from)
            .map_err(|e| e.to_string())
    }

    const KEYS: [EnvKey; 2] = [
        EnvKey {
            key: "workers",
            var: "TOOL_WORKERS",
            parse: number,
        },
        EnvKey {
            key: "limit",
            var: "TOOL_LIMIT",
            parse: number,
        },
    ];

    #[test]
    fn set_variables_are_read_and_empty_ones_skipped() {
        let values = read(&KEYS, |var| match var {
            "TOOL_WORKERS" => Some(OsString::from("4")),
            "TOOL_LIMIT" => Some(OsString::new()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            values,
            [EnvValue {
                var: "TOOL_WORKERS".into(),
                key: "workers".into(),
                value: Value::from(4),
            }]
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = read(&KEYS, |var| {
            (var == "TOOL_LIMIT").then(|| OsString::from("many"))
        })
        .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Config);
        assert_eq!(
            err.message(),
            "environment variable TOOL_LIMIT: configuration key 'limit': invalid digit found in string; correct or unset the variable"
        );
    }
}
