//! Configuration directory benchmark: `Config::load` over a directory of
//! 1,000 small `*.json.conf` files against a framework-free counterpart that
//! lists the directory, reads every file, parses it with serde_json and
//! merges it into one map, in the same run. Prints the median wall time of
//! both and their ratio. The time is that of loading: dropping the result
//! afterwards is not counted, on either side.
//!
//! ```text
//! cargo bench --bench config_dir
//! ```

use std::fs;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use serde_json::{json, Map, Value};
use zenkit::config::Config;

const FILES: usize = 1_000;
const ROUNDS: usize = 5;
const RUNS_PER_ROUND: usize = 41;

/// Writes the files: each sets a section of its own and one key of a section
/// they all share, like drop-in files of a real installation.
fn populate(dir: &Path) {
    for i in 0..FILES {
        let text = format!(
            "# drop-in {i}\n{{\n  \"section_{i:04}\": {{\"enabled\": true, \"limit\": {i}, \"name\": \"item {i}\"}},\n  \"shared\": {{\"k{i}\": [{i}, \"x\"]}}\n}}\n"
        );
        fs::write(dir.join(format!("{i:04}-drop-in.json.conf")), text).unwrap();
    }
}

fn zenkit_load(dir: &Path) -> Config {
    let defaults = json!({
        "config_file": null,
        "config_dir": dir,
        "config_file_silent": true,
        "config_dir_silent": false,
    });
    let Value::Object(defaults) = defaults else {
        unreachable!("an object")
    };
    Config::load(defaults, Map::new()).expect("configuration loads")
}

/// Objects merge key by key, anything else replaces the lower value.
fn merge(dst: &mut Map<String, Value>, src: Map<String, Value>) {
    for (key, value) in src {
        match (dst.get_mut(&key), value) {
            (Some(Value::Object(lower)), Value::Object(upper)) => merge(lower, upper),
            (_, value) => {
                dst.insert(key, value);
            }
        }
    }
}

/// The same files without a framework (and without comment lines, which
/// serde_json does not accept, so they are skipped by hand).
fn plain_load(dir: &Path) -> Map<String, Value> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().ends_with(".json.conf"))
        .collect();
    names.sort();
    let mut merged = Map::new();
    for name in names {
        let text = fs::read_to_string(dir.join(name)).unwrap();
        let body = text.find('{').map_or("", |start| &text[start..]);
        let Value::Object(map) = serde_json::from_str(body).unwrap() else {
            panic!("not an object")
        };
        merge(&mut merged, map);
    }
    merged
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let root = tempfile::tempdir().expect("temporary directory");
    populate(root.path());
    let (config, expected) = (zenkit_load(root.path()), plain_load(root.path()));
    for (key, value) in &expected {
        assert_eq!(config.value(key), Some(value), "{key}");
    }
    drop((config, expected));

    // Each side runs in blocks, so the allocator's work left over from
    // freeing a result is paid by the side that made it.
    let mut zenkit = Vec::new();
    let mut plain = Vec::new();
    for _ in 0..ROUNDS {
        for _ in 0..RUNS_PER_ROUND {
            let start = Instant::now();
            let config = black_box(zenkit_load(black_box(root.path())));
            zenkit.push(start.elapsed().as_secs_f64());
            drop(config);
        }
        for _ in 0..RUNS_PER_ROUND {
            let start = Instant::now();
            let map = black_box(plain_load(black_box(root.path())));
            plain.push(start.elapsed().as_secs_f64());
            drop(map);
        }
    }
    let runs = zenkit.len();
    let (zenkit, plain) = (median(zenkit), median(plain));
    println!("{FILES} files, median of {runs} loads");
    println!("{:<16} {:>10.2} ms", "zenkit", zenkit * 1e3);
    println!("{:<16} {:>10.2} ms", "framework-free", plain * 1e3);
    println!("{:<16} {:>10.2}x", "ratio", zenkit / plain);
}
