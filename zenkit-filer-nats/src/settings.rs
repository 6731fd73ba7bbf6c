//! The `nats_*` configuration keys, their options, and the addresses of
//! the queues (`nats://…` URLs).

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use zenkit::clap;
use zenkit::cli::value_parser;
use zenkit::config::Config;
use zenkit::plugin::Plugin;
use zenkit::schema::{KeySchema, SchemaGenerator};
use zenkit::Result;

/// The keys of the backend, with their options and defaults.
struct Key {
    name: &'static str,
    value_name: &'static str,
    default: fn() -> Value,
    schema: fn(&mut SchemaGenerator, &'static str, &'static str) -> KeySchema,
    parser: fn() -> clap::builder::ValueParser,
    help: &'static str,
}

fn schema_of<T: zenkit::schemars::JsonSchema>(
    generator: &mut SchemaGenerator,
    key: &'static str,
    help: &'static str,
) -> KeySchema {
    KeySchema::of::<T>(generator, key, help)
}

const KEYS: &[Key] = &[
    Key {
        name: "nats_servers",
        value_name: "URLS",
        default: || json!("nats://127.0.0.1:4222"),
        schema: schema_of::<String>,
        parser: value_parser::<String>,
        help: "The NATS servers of nats:/// queues, comma-separated URLs (nats://host:port)",
    },
    Key {
        name: "nats_creds",
        value_name: "FILE",
        default: || Value::Null,
        schema: schema_of::<Option<PathBuf>>,
        parser: value_parser::<String>,
        help: "The NATS credentials file (JWT and NKey seed) to connect with",
    },
    Key {
        name: "nats_ack_wait",
        value_name: "SECONDS",
        default: || json!(30.0),
        schema: schema_of::<f64>,
        parser: value_parser::<f64>,
        help: "Seconds after which the messages of an instance that stopped answering go to another one",
    },
    Key {
        name: "nats_max_ack_pending",
        value_name: "N",
        default: || json!(256),
        schema: schema_of::<u32>,
        parser: value_parser::<u32>,
        help: "The most messages an instance holds at once, taken and not committed",
    },
    Key {
        name: "nats_max_deliver",
        value_name: "N",
        default: || json!(5),
        schema: schema_of::<u32>,
        parser: value_parser::<u32>,
        help: "Banish a message delivered this many times without a commit (a message that kills its stage)",
    },
    Key {
        name: "nats_duplicate_window",
        value_name: "SECONDS",
        default: || json!(120.0),
        schema: schema_of::<f64>,
        parser: value_parser::<f64>,
        help: "Seconds within which a stream drops a message published again under the same id (streams the stage creates)",
    },
    Key {
        name: "nats_replicas",
        value_name: "N",
        default: || json!(1),
        schema: schema_of::<u32>,
        parser: value_parser::<u32>,
        help: "Copies of each message kept by the cluster (streams the stage creates)",
    },
    Key {
        name: "nats_connect_timeout",
        value_name: "SECONDS",
        default: || json!(5.0),
        schema: schema_of::<f64>,
        parser: value_parser::<f64>,
        help: "Seconds to wait for the servers at start-up before giving up",
    },
];

/// The `nats_*` keys, read from a configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Settings {
    pub(crate) nats_servers: String,
    pub(crate) nats_creds: Option<PathBuf>,
    pub(crate) nats_ack_wait: f64,
    pub(crate) nats_max_ack_pending: u32,
    pub(crate) nats_max_deliver: u32,
    pub(crate) nats_duplicate_window: f64,
    pub(crate) nats_replicas: u32,
    pub(crate) nats_connect_timeout: f64,
}

impl Settings {
    /// Reads and checks the keys (the plugin's defaults are in every
    /// configuration); an error names the key and where it was set.
    pub(crate) fn from_config(config: &Config) -> Result<Settings> {
        let settings: Settings = config.bind()?;
        servers(&settings.nats_servers).map_err(|why| config.error_at("nats_servers", why))?;
        for (key, secs) in [
            ("nats_ack_wait", settings.nats_ack_wait),
            ("nats_duplicate_window", settings.nats_duplicate_window),
            ("nats_connect_timeout", settings.nats_connect_timeout),
        ] {
            if !(secs.is_finite() && secs > 0.0 && secs < 1e9) {
                return Err(config.error_at(
                    key,
                    format!("expected a positive number of seconds, not {secs}"),
                ));
            }
        }
        for (key, n) in [
            ("nats_max_ack_pending", settings.nats_max_ack_pending),
            ("nats_max_deliver", settings.nats_max_deliver),
            ("nats_replicas", settings.nats_replicas),
        ] {
            if n == 0 {
                return Err(config.error_at(key, "expected at least 1, not 0"));
            }
        }
        Ok(settings)
    }

    pub(crate) fn ack_wait(&self) -> Duration {
        Duration::from_secs_f64(self.nats_ack_wait)
    }

    pub(crate) fn connect_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.nats_connect_timeout)
    }

    pub(crate) fn duplicate_window(&self) -> Duration {
        Duration::from_secs_f64(self.nats_duplicate_window)
    }
}

/// The servers of a comma-separated list of URLs, each checked.
pub(crate) fn servers(list: &str) -> std::result::Result<Vec<async_nats::ServerAddr>, String> {
    let urls: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .collect();
    if urls.is_empty() {
        return Err("expected at least one server URL, as nats://host:port".to_string());
    }
    urls.iter()
        .map(|url| {
            url.parse::<async_nats::ServerAddr>()
                .map_err(|e| format!("'{url}' is not a server URL (nats://host:port): {e}"))
        })
        .collect()
}

/// A queue on JetStream, as a `nats://` URL names it:
/// `nats://[HOST:PORT[,HOST:PORT…]]/STREAM[/CONSUMER]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Address {
    /// The servers of the URL; `None` for the `nats_servers` key's.
    pub(crate) servers: Option<String>,
    pub(crate) stream: String,
    pub(crate) consumer: Option<String>,
}

impl Address {
    /// Parses `url`; the error says what is wrong, for the key's message.
    pub(crate) fn parse(url: &str) -> std::result::Result<Address, String> {
        let form = "expected nats://[HOST:PORT,…]/STREAM[/CONSUMER]";
        let rest = url
            .strip_prefix("nats://")
            .ok_or_else(|| format!("'{url}': {form}"))?;
        let (hosts, path) = rest.split_once('/').unwrap_or((rest, ""));
        let mut parts = path.split('/');
        let stream = parts.next().unwrap_or("");
        let consumer = parts.next().filter(|c| !c.is_empty());
        if parts.next().is_some() || stream.is_empty() {
            return Err(format!("'{url}': {form}"));
        }
        for (what, name) in [("stream", Some(stream)), ("consumer", consumer)] {
            let Some(name) = name else { continue };
            if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(format!(
                    "'{url}': the {what} name '{name}' may have only letters, digits, '-' and '_'"
                ));
            }
        }
        let inline = (!hosts.is_empty()).then(|| {
            hosts
                .split(',')
                .map(|host| format!("nats://{host}"))
                .collect::<Vec<_>>()
                .join(",")
        });
        if let Some(list) = &inline {
            servers(list).map_err(|why| format!("'{url}': {why}"))?;
        }
        Ok(Address {
            servers: inline,
            stream: stream.to_string(),
            consumer: consumer.map(str::to_string),
        })
    }

    /// The subject the stream's messages are published on.
    pub(crate) fn subject(&self) -> String {
        self.stream.clone()
    }

    /// The stream of the queue's banished messages.
    pub(crate) fn errors_stream(&self) -> String {
        format!("{}_ERRORS", self.stream)
    }

    /// The subject of the queue's banished messages.
    pub(crate) fn errors_subject(&self) -> String {
        format!("{}.errors", self.stream)
    }
}

/// The plugin of the `nats_*` keys: their options, defaults and schemas,
/// and their check at start-up and at every reload.
#[derive(Debug, Default)]
pub struct Nats;

#[zenkit::plugin]
impl Plugin for Nats {
    fn name(&self) -> &'static str {
        "nats"
    }

    fn options(&self) -> Vec<clap::Arg> {
        KEYS.iter()
            .map(|key| {
                clap::Arg::new(key.name)
                    .long(key.name.replace('_', "-"))
                    .value_name(key.value_name)
                    .help(key.help)
                    .value_parser((key.parser)())
            })
            .collect()
    }

    fn defaults(&self) -> Map<String, Value> {
        KEYS.iter()
            .map(|key| (key.name.to_string(), (key.default)()))
            .collect()
    }

    fn schema(&self, generator: &mut SchemaGenerator) -> Vec<KeySchema> {
        KEYS.iter()
            .map(|key| (key.schema)(generator, key.name, key.help))
            .collect()
    }

    /// Checks the keys, and the `nats://` URLs of the filers' queue keys
    /// (of every channel), before the daemon detaches.
    fn configure(&mut self, config: &Config) -> Result<()> {
        Settings::from_config(config)?;
        for (key, value) in config.as_map() {
            let queue_key = ["queue_in_dir", "queue_out_dir"]
                .iter()
                .any(|name| key == name || key.ends_with(&format!("_{name}")));
            match value.as_str() {
                Some(url) if queue_key && url.starts_with("nats://") => {
                    Address::parse(url).map_err(|why| config.error_at(key, why))?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let address = Address::parse("nats:///ENRICH").unwrap();
        assert_eq!(address.servers, None);
        assert_eq!(address.stream, "ENRICH");
        assert_eq!(address.consumer, None);
        let address = Address::parse("nats://a:4222,b:4223/ENRICH/enrich-1").unwrap();
        assert_eq!(
            address.servers.as_deref(),
            Some("nats://a:4222,nats://b:4223")
        );
        assert_eq!(address.consumer.as_deref(), Some("enrich-1"));
        assert_eq!(address.errors_stream(), "ENRICH_ERRORS");
        assert_eq!(address.errors_subject(), "ENRICH.errors");
        for bad in [
            "nats://",
            "nats:///",
            "nats:///A/b/c",
            "nats:///A.B",
            "nats:///A/c*",
            "http:///A",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn server_lists() {
        assert_eq!(
            servers("nats://127.0.0.1:4222, nats://h:1").unwrap().len(),
            2
        );
        assert!(servers(" , ").is_err());
    }
}
