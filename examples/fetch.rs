//! Download planner: shows what option and key types an application can
//! have. It fetches nothing; it prints the plan it would follow as one JSON
//! object, so that every value can be checked from outside.
//!
//! `fetch --compression zstd --timeout 90s --no-verbose-style -j 8`, or the
//! same in its configuration file:
//! `{"compression": "zstd", "timeout": "1m 30s", "verbose_style": false,
//! "max_jobs": 8}`, or from the environment: `FETCH_TIMEOUT=5m fetch`.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use zenkit::prelude::*;

/// How fetched files are compressed.
#[derive(zenkit::Value, Debug, Clone, Copy, Default, PartialEq)]
enum Compression {
    #[default]
    None,
    Gzip,
    #[zen(name = "zstd")]
    Zstandard,
}

/// One mirror of configuration section `mirrors`.
#[derive(Serialize, Deserialize, zenkit::schemars::JsonSchema)]
#[schemars(crate = "zenkit::schemars")]
struct Mirror {
    url: String,
    /// How long a request to this mirror may take.
    #[serde(with = "zenkit::duration")]
    #[schemars(schema_with = "zenkit::duration::json_schema")]
    timeout: Duration,
}

/// Plans downloads from mirrors.
#[derive(ZenApp, Default)]
#[zen(
    linked_plugins = false,
    defaults(config_file_silent = true, config_dir_silent = true)
)]
struct Fetch {
    /// How to compress what is fetched.
    #[zen(cli, env = "FETCH_COMPRESSION", default = "gzip")]
    compression: Compression,
    /// Compressions the mirrors may offer, in order of preference.
    #[zen(cli(long = "accept"))]
    accepted: Vec<Compression>,
    /// How long one download may take.
    #[zen(cli, env = "FETCH_TIMEOUT", default = "30s")]
    timeout: Duration,
    /// Pause between retries (none: retry at once).
    #[zen(cli)]
    backoff: Option<Duration>,
    /// Extra request headers; none unless given.
    #[zen(cli(long = "header"), value_name = "NAME:VALUE")]
    headers: Option<Vec<String>>,
    /// Colour and align the plan.
    #[zen(cli, default = true)]
    verbose_style: bool,
    /// Parallel downloads.
    #[zen(cli(short = 'j'), rename = "max_jobs", range = 1..=16, default = 4, env = "FETCH_JOBS")]
    jobs: u32,
    /// Retries of a failed download.
    #[zen(cli, range = ..=9, default = 3)]
    retries: u8,
    /// Log every request (for debugging the planner).
    #[zen(cli, hide)]
    trace_requests: bool,
    /// Where to fetch from.
    #[zen(config)]
    mirrors: Vec<Mirror>,
    /// How long fetched files stay fresh.
    #[zen(config, default = "1h")]
    cache_for: Duration,
    /// Share of the bandwidth to use.
    #[zen(config, env = "FETCH_SHARE", range = 0.1..=1.0, default = 0.5)]
    share: f64,
}

#[zenkit::app]
impl Fetch {
    /// Prints the plan.
    #[process]
    fn plan(&mut self, ctx: &mut Context) -> zenkit::Result<()> {
        let mirrors: Vec<Value> = self
            .mirrors
            .iter()
            .map(|m| json!({"url": m.url, "timeout_ms": m.timeout.as_millis() as u64}))
            .collect();
        let plan = json!({
            "compression": self.compression.to_string(),
            "accepted": self.accepted,
            "timeout_ms": self.timeout.as_millis() as u64,
            "backoff_ms": self.backoff.map(|b| b.as_millis() as u64),
            "headers": self.headers,
            "verbose_style": self.verbose_style,
            "jobs": self.jobs,
            "retries": self.retries,
            "trace_requests": self.trace_requests,
            "mirrors": mirrors,
            "cache_for_s": self.cache_for.as_secs(),
            "share": self.share,
        });
        ctx.print(0, format_args!("{plan}"));
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    zenkit::run::<Fetch>()
}
