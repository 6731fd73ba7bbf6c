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
/// a value of its key is a configuration error naming the variable (the
/// first one; [`read_each`] gives them all).
pub fn read(
    keys: &[EnvKey],
    get: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<Vec<EnvValue>> {
    let (values, mut errors) = read_each(keys, get);
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors.swap_remove(0))
    }
}

/// Reads the variables of `keys` as [`read`] does, but goes on past a bad
/// value: the values read, and an error for each variable whose value is
/// none (for `--action config-check`, which reports every error).
pub fn read_each(
    keys: &[EnvKey],
    get: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> (Vec<EnvValue>, Vec<Error>) {
    let mut values = Vec::new();
    let mut errors = Vec::new();
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
            errors.push(bad("the value is not valid UTF-8"));
            continue;
        };
        match (env.parse)(text) {
            Ok(value) => values.push(EnvValue {
                var: env.var.into(),
                key: env.key.to_string(),
                value,
            }),
            Err(why) => errors.push(bad(&why.replace(['\r', '\n'], " "))),
        }
    }
    (values, errors)
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

    #[test]
    fn every_bad_variable_is_an_error_of_its_own() {
        let get = |var: &str| match var {
            "TOOL_WORKERS" => Some(OsString::from("four")),
            "TOOL_LIMIT" => Some(OsString::from("many")),
            _ => None,
        };
        let (values, errors) = read_each(&KEYS, get);
        assert!(values.is_empty());
        let vars: Vec<_> = errors
            .iter()
            .map(|e| e.message().split(':').next().unwrap().to_string())
            .collect();
        assert_eq!(
            vars,
            [
                "environment variable TOOL_WORKERS",
                "environment variable TOOL_LIMIT"
            ]
        );
        let first = read(&KEYS, get).unwrap_err();
        assert_eq!(first, errors[0]);
    }
}
