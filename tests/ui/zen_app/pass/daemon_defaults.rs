//! A daemon's own built-in keys take defaults (paths, the umask as an octal
//! string or integer, the parallel flag) besides every application's
//! `pid_file`; a base application may name its own options like a daemon's.

use serde_json::{json, Value};
use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(
    daemon,
    defaults(
        chroot_dir = "/srv/jail",
        work_dir = "/var/lib/service",
        umask = "027",
        paralel = true,
        pid_file = "/run/service.pid",
    )
)]
struct Service {}

#[zenkit::app]
impl Service {}

#[derive(ZenApp, Default)]
#[zen(daemon, defaults(umask = 0o077))]
struct Strict {}

#[zenkit::app]
impl Strict {}

#[derive(ZenApp, Default)]
struct Tool {
    #[zen(cli(long = "pid-file"))]
    pid: String,
    #[zen(cli)]
    parallel: bool,
    #[zen(cli(long = "paralel"))]
    sloppy: bool,
    #[zen(cli)]
    umask: String,
    #[zen(config)]
    work_dir: String,
}

impl Hooks for Tool {}

fn main() {
    assert_eq!(
        Value::Object(Service::defaults().unwrap()),
        json!({
            "chroot_dir": "/srv/jail",
            "work_dir": "/var/lib/service",
            "umask": "027",
            "paralel": true,
            "pid_file": "/run/service.pid",
        })
    );
    assert_eq!(
        Value::Object(Strict::defaults().unwrap()),
        json!({"umask": "0o77"})
    );

    // the options of a base application's own, not the daemon options
    let cmd = zenkit::cli::command(
        &Tool::info(),
        Tool::KIND,
        "tool",
        Tool::options(),
        vec![],
        &[],
        &[],
    );
    cmd.clone().debug_assert();
    let matches = cmd
        .try_get_matches_from(["tool", "--pid-file", "t.pid", "--paralel", "--umask", "7"])
        .unwrap();
    assert_eq!(matches.get_one::<Value>("pid"), Some(&json!("t.pid")));
    assert!(!matches.get_flag("parallel"));
    assert!(matches.get_flag("sloppy"));
}
