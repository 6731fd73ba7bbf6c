//! Framework-free baseline for the life-cycle benchmark: does the same file
//! work as one run of `demo_app` (read the configuration file and directory,
//! read the persistent state, append to the log file, save the state and a
//! runlog with temporary file + fsync + rename + directory fsync) with the
//! standard library and serde_json only.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

fn save(path: &Path, value: &serde_json::Value) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut file = File::create(&tmp)?;
    file.write_all(serde_json::to_string_pretty(value)?.as_bytes())?;
    file.sync_all()?;
    fs::rename(&tmp, path)?;
    File::open(path.parent().unwrap_or(Path::new(".")))?.sync_all()
}

fn main() -> std::io::Result<()> {
    let root =
        PathBuf::from(std::env::var_os("APP_ROOT_PATH").unwrap_or_else(|| ".".into())).join("tmp");
    let name = "baseline";
    let mut config = serde_json::Map::new();
    let dir = root.join(name);
    fs::create_dir_all(&dir)?;
    let mut entries: Vec<_> = fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".json.conf"))
        .collect();
    entries.sort();
    entries.push(root.join(format!("{name}.conf")));
    for path in entries {
        if let Ok(text) = fs::read_to_string(&path) {
            if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&text) {
                config.extend(map);
            }
        }
    }
    let pstate_path = root.join(format!("{name}.pstate"));
    let mut pstate: serde_json::Value = fs::read_to_string(&pstate_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    let counter = pstate.get("counter").and_then(|c| c.as_u64()).unwrap_or(0) + 1;
    pstate["counter"] = counter.into();
    let mut log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(root.join(format!("{name}.log")))?;
    writeln!(
        log,
        "{name} [{}] INFO: Number of runs: '{counter}'",
        std::process::id()
    )?;
    println!("Hello world from the baseline");
    save(&pstate_path, &pstate)?;
    let runlog = serde_json::json!({"name": name, "pid": std::process::id(), "config": config});
    save(&dir.join(format!("{}.runlog", std::process::id())), &runlog)
}
