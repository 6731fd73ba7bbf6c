//! Configuration: loading, layers, merging, binding.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::Result;

/// The merged configuration of an application.
#[derive(Debug, Clone, Default)]
pub struct Config {
    merged: Map<String, Value>,
}

impl Config {
    /// The typed value of a key.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<T> {
        let v = self.merged.get(key).cloned().unwrap_or(Value::Null);
        serde_json::from_value(v).map_err(|e| crate::Error::config(e.to_string()))
    }
}
