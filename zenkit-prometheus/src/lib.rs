//! A zenkit plugin that writes metrics for the Prometheus node exporter's
//! textfile collector.
//!
//! Link it and every zenkit application gains the option `--prometheus-dir
//! DIR` (configuration key `prometheus_dir`). When set, the application
//! writes `DIR/<name>.prom` atomically: at the end of each run, and for a
//! daemon also every `stats_interval` seconds. Unset, the plugin does
//! nothing.
//!
//! ```no_run
//! // Refer to the crate so the linker keeps its registration.
//! use zenkit_prometheus as _;
//! ```
//!
//! Metrics, each labelled `app="<name>"`:
//!
//! | metric | type | meaning |
//! |---|---|---|
//! | `zenkit_last_run_timestamp_seconds` | gauge | when the file was written (Unix seconds) |
//! | `zenkit_last_run_success` | gauge | 1 when no error was registered, else 0 |
//! | `zenkit_last_run_duration_seconds` | gauge | seconds since the run started |
//! | `zenkit_errors_total` | counter | errors registered by the run |
//! | `zenkit_component_statistic_total` | counter | a daemon's statistics counter, labelled `component` and `counter` (a dotted path in nested groups) |
//! | `zenkit_component_value` | gauge | a value of a component's statistics group `gauges` (one that goes up and down, such as a connection's state), labelled `component` and `gauge` |

mod exposition;

use std::path::PathBuf;

use serde_json::{json, Map, Value};
use zenkit::clap;
use zenkit::cli::value_parser;
use zenkit::config::Config;
use zenkit::daemon::Daemon;
use zenkit::plugin::Plugin;
use zenkit::schema::{KeySchema, SchemaGenerator};
use zenkit::{Context, Error, Result};

pub use exposition::{parse, render, Family, Sample};

/// The textfile-collector exporter.
#[derive(Debug, Default)]
pub struct Prometheus {
    dir: Option<PathBuf>,
    file: Option<PathBuf>,
}

impl Prometheus {
    /// Writes the metrics file from the runlog and, in a daemon, the
    /// statistics.
    fn write(&self, ctx: &Context, statistics: Option<&Value>) -> Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let families = metrics(ctx.name(), ctx.runlog_record().as_map(), statistics);
        zenkit::fs::write_atomic(file, render(&families).as_bytes(), zenkit::fs::FILE_MODE)
            .map_err(|e| Error::msg(format!("cannot write metrics to {}: {e}", file.display())))
    }
}

#[zenkit::plugin]
impl Plugin for Prometheus {
    fn name(&self) -> &'static str {
        "prometheus"
    }

    fn options(&self) -> Vec<clap::Arg> {
        vec![clap::Arg::new("prometheus_dir")
            .long("prometheus-dir")
            .value_name("DIR")
            .help("Write metrics for the Prometheus textfile collector into DIR")
            .value_parser(value_parser::<String>())]
    }

    fn defaults(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("prometheus_dir".into(), Value::Null);
        map
    }

    fn schema(&self, generator: &mut SchemaGenerator) -> Vec<KeySchema> {
        vec![KeySchema::of::<Option<PathBuf>>(
            generator,
            "prometheus_dir",
            "Directory to write metrics into for the Prometheus textfile collector (`<name>.prom`); none are written when not set",
        )]
    }

    fn configure(&mut self, config: &Config) -> Result<()> {
        self.dir = config.get("prometheus_dir")?;
        Ok(())
    }

    fn setup(&mut self, ctx: &mut Context) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::setup(format!(
                "cannot create the metrics directory {}: {e}; check --prometheus-dir",
                dir.display()
            ))
        })?;
        self.file = Some(dir.join(format!("{}.prom", ctx.name())));
        Ok(())
    }

    fn runlog(&mut self, _ctx: &Context) -> Map<String, Value> {
        let mut map = Map::new();
        if let Some(file) = &self.file {
            map.insert("prometheus_file".into(), json!(file));
        }
        map
    }

    fn teardown(&mut self, ctx: &mut Context) -> Result<()> {
        let statistics = ctx
            .runlog_record()
            .get("statistics")
            .map(|s| s["components"].clone());
        self.write(ctx, statistics.as_ref())
    }

    fn events(&self) -> Vec<&'static str> {
        match self.dir {
            Some(_) => vec![Daemon::LOG_STATISTICS.name()],
            None => Vec::new(),
        }
    }

    fn on_event(&mut self, _event: &str, daemon: &mut Daemon<'_>) -> Result<()> {
        let statistics = daemon.all_statistics();
        self.write(daemon, Some(&statistics))
    }
}

/// The metric families of one application from its runlog and, for a
/// daemon, its statistics (`{component: counters}`).
pub fn metrics(app: &str, runlog: &Map<String, Value>, statistics: Option<&Value>) -> Vec<Family> {
    let now = zenkit::runlog::now_ts();
    let started = runlog.get("ts").and_then(Value::as_f64).unwrap_or(now);
    let failed = runlog.get("result").and_then(Value::as_str) == Some("failure");
    let errors = runlog
        .get("errors")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let labels = vec![("app".to_string(), app.to_string())];
    let gauge = |name: &str, help: &str, value: f64| Family {
        name: name.to_string(),
        help: help.to_string(),
        kind: "gauge",
        samples: vec![Sample {
            labels: labels.clone(),
            value,
        }],
    };
    let mut families = vec![
        gauge(
            "zenkit_last_run_timestamp_seconds",
            "When the metrics were written, in Unix seconds.",
            now,
        ),
        gauge(
            "zenkit_last_run_success",
            "1 when the run registered no error, else 0.",
            if failed { 0.0 } else { 1.0 },
        ),
        gauge(
            "zenkit_last_run_duration_seconds",
            "Seconds from the start of the run to the writing of the metrics.",
            (now - started).max(0.0),
        ),
        Family {
            name: "zenkit_errors_total".to_string(),
            help: "Errors the run registered.".to_string(),
            kind: "counter",
            samples: vec![Sample {
                labels: labels.clone(),
                value: errors as f64,
            }],
        },
    ];
    if let Some(Value::Object(components)) = statistics {
        let (mut counters, mut gauges) = (Vec::new(), Vec::new());
        for (component, values) in components {
            let sample = |label: &str, name: String, value: f64| Sample {
                labels: vec![
                    ("app".to_string(), app.to_string()),
                    ("component".to_string(), component.clone()),
                    (label.to_string(), name),
                ],
                value,
            };
            let Value::Object(values) = values else {
                continue;
            };
            for (name, value) in values {
                if name == GAUGES {
                    flatten(value, "", &mut |gauge, v| {
                        gauges.push(sample("gauge", gauge, v));
                    });
                } else {
                    flatten(value, name, &mut |counter, v| {
                        counters.push(sample("counter", counter, v));
                    });
                }
            }
        }
        families.push(Family {
            name: "zenkit_component_statistic_total".to_string(),
            help: "Statistics counters of the daemon's components.".to_string(),
            kind: "counter",
            samples: counters,
        });
        if !gauges.is_empty() {
            families.push(Family {
                name: "zenkit_component_value".to_string(),
                help: "Current values of the daemon's components (the group `gauges` of their statistics).".to_string(),
                kind: "gauge",
                samples: gauges,
            });
        }
    }
    families
}

/// The statistics group whose values are gauges, not counters.
const GAUGES: &str = "gauges";

/// Calls `f` with the dotted path and value of every counter in nested
/// groups.
fn flatten(value: &Value, prefix: &str, f: &mut dyn FnMut(String, f64)) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(inner, &path, f);
            }
        }
        other => {
            if let Some(number) = other.as_f64() {
                f(prefix.to_string(), number);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gauges_group_is_a_gauge_family_and_the_rest_counters() {
        let statistics = json!({"filer": {
            "cnt_committed": 7,
            "matches": {"error": 2},
            "gauges": {"nats_connected": 1, "nats_held": 3},
        }});
        let families = metrics("enrich", &Map::new(), Some(&statistics));
        let family = |name: &str| families.iter().find(|f| f.name == name).unwrap();
        let labelled = |family: &Family, label: &str| -> Vec<(String, f64)> {
            family
                .samples
                .iter()
                .map(|s| {
                    let value = s.labels.iter().find(|(k, _)| k == label).unwrap();
                    (value.1.clone(), s.value)
                })
                .collect()
        };
        let counters = family("zenkit_component_statistic_total");
        assert_eq!(
            labelled(counters, "counter"),
            [
                ("cnt_committed".to_string(), 7.0),
                ("matches.error".to_string(), 2.0)
            ]
        );
        let gauges = family("zenkit_component_value");
        assert_eq!(gauges.kind, "gauge");
        assert_eq!(
            labelled(gauges, "gauge"),
            [
                ("nats_connected".to_string(), 1.0),
                ("nats_held".to_string(), 3.0)
            ]
        );
        // what is rendered parses back
        assert_eq!(parse(&render(&families)).unwrap().len(), families.len());
    }
}
