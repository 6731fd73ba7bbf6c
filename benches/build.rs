//! Build benchmark: how long a small zenkit script takes to build, clean and
//! after editing one handler, against a clap-derive hello world doing the
//! same thing built in the same run, and how large release binaries are,
//! stripped, against the framework-free `baseline`.
//!
//! ```text
//! cargo bench --bench build                  # all of it
//! cargo bench --bench build -- clap minimal  # only the scenarios named
//! ```
//!
//! Scenarios (all when none is named):
//!
//! * `script`: a small cron script (`#[zen(script)]`, one option, one
//!   `#[command]`) on the runtime with its default features;
//! * `minimal`: the same script with `default-features = false, features =
//!   ["script"]`;
//! * `clap`: a clap 4 derive hello world with the same option and command;
//! * `sizes`: release builds of `demo_app`, `baseline` and both scripts,
//!   stripped.
//!
//! Each program is a temporary crate (removed at the end, also on a panic)
//! with the workspace's `Cargo.lock`, so that it builds with the same
//! versions; the registry is fetched before anything is timed and the
//! builds run `--frozen`. A clean build is a debug `cargo build` into an
//! empty target directory of its own; an incremental rebuild follows an
//! edit of a literal in the handler's body, the median of five, taken in
//! rounds that rebuild each program once. After the clean build and after
//! the last rebuild the program is run and must print what its source
//! says, so that a broken or stale build is never timed. Release builds go into the workspace's own target directory
//! (with the workspace's `[profile.release]`, so the dependencies compiled
//! for this bench are reused); their executables are copied and stripped
//! with `strip`. Times are wall times; beside them the CPU time (user and
//! system, of cargo and all it runs), which moves less when the machine
//! is busy. The figures are printed, not checked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

/// Incremental rebuilds per program; their median is the figure.
const REBUILDS: usize = 5;

/// The workspace root, which holds `zenkit/`, `Cargo.lock` and the examples.
const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");

/// One megabyte, the unit of the sizes and of their goal.
const MB: f64 = 1e6;

/// The temporary crates.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Program {
    /// The small script on the runtime's default features.
    Script,
    /// The same script on the minimal features.
    Minimal,
    /// The clap-derive hello world.
    Clap,
}

impl Program {
    /// Its scenario's name on the command line.
    fn scenario(self) -> &'static str {
        match self {
            Program::Script => "script",
            Program::Minimal => "minimal",
            Program::Clap => "clap",
        }
    }

    /// Its package name, which is its executable's too.
    fn package(self) -> &'static str {
        match self {
            Program::Script => "tally",
            Program::Minimal => "tally-minimal",
            Program::Clap => "tally-clap",
        }
    }

    /// Its line in `[dependencies]`.
    fn dependency(self) -> String {
        let runtime = Path::new(WORKSPACE).join("zenkit");
        let runtime = runtime.to_str().expect("a workspace path in UTF-8");
        match self {
            Program::Script => {
                format!("zenkit = {{ package = \"zenkit-framework\", path = {runtime:?} }}")
            }
            Program::Minimal => format!(
                "zenkit = {{ package = \"zenkit-framework\", path = {runtime:?}, \
                 default-features = false, features = [\"script\"] }}"
            ),
            Program::Clap => "clap = { version = \"4\", features = [\"derive\"] }".to_string(),
        }
    }

    /// Its `Cargo.toml`: a workspace of its own, with the workspace's
    /// release profile.
    fn manifest(self) -> String {
        format!(
            "[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{}\n\n{}\n[workspace]\n",
            self.package(),
            self.dependency(),
            release_profile()
        )
    }

    /// Its `src/main.rs`, the handler printing `(edit N)`.
    fn source(self, edit: usize) -> String {
        let template = match self {
            Program::Script | Program::Minimal => SCRIPT,
            Program::Clap => CLAP,
        };
        template.replace("EDIT", &edit.to_string())
    }

    /// What it prints when [`Crate::check`] runs it after edit `edit`.
    fn expected(edit: usize) -> String {
        format!("{FILES} files (edit {edit})")
    }
}

/// The script: counts the files of a directory, as a cron job would.
const SCRIPT: &str = r#"use zenkit::prelude::*;

/// Counts the files of a directory.
#[derive(ZenApp, Default)]
#[zen(script, default_command = "count")]
struct Tally {
    /// Directory whose files are counted.
    #[zen(cli, default = ".")]
    dir: std::path::PathBuf,
}

#[zenkit::app]
impl Tally {
    /// Counts the files in the directory.
    #[command]
    fn count(&mut self, ctx: &mut Context) -> zenkit::Result<usize> {
        let n = std::fs::read_dir(&self.dir)?.count();
        ctx.print(0, format_args!("{n} files (edit EDIT)"));
        Ok(n)
    }
}

fn main() -> std::process::ExitCode {
    zenkit::run::<Tally>()
}
"#;

/// The clap counterpart: the same option, the same command.
const CLAP: &str = r#"use clap::{Parser, Subcommand};

/// Counts the files of a directory.
#[derive(Parser)]
struct Tally {
    /// Directory whose files are counted.
    #[arg(long, global = true, default_value = ".")]
    dir: std::path::PathBuf,
    #[command(subcommand)]
    command: Option<Commands>,
}

#[derive(Subcommand)]
enum Commands {
    /// Counts the files in the directory.
    Count,
}

fn count(tally: &Tally) -> std::io::Result<usize> {
    let n = std::fs::read_dir(&tally.dir)?.count();
    println!("{n} files (edit EDIT)");
    Ok(n)
}

fn main() -> std::process::ExitCode {
    let tally = Tally::parse();
    let result = match tally.command {
        Some(Commands::Count) | None => count(&tally),
    };
    match result {
        Ok(_) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cannot count the files of {}: {err}", tally.dir.display());
            std::process::ExitCode::FAILURE
        }
    }
}
"#;

/// Files in the directory the programs count when checked.
const FILES: usize = 3;

/// The `[profile.release]` section of the workspace's `Cargo.toml`, as
/// written there (empty when it has none).
fn release_profile() -> String {
    let manifest = std::fs::read_to_string(Path::new(WORKSPACE).join("Cargo.toml"))
        .expect("the workspace's Cargo.toml");
    let mut lines = manifest
        .lines()
        .skip_while(|l| l.trim() != "[profile.release]");
    let Some(header) = lines.next() else {
        return String::new();
    };
    let mut section = format!("{header}\n");
    for line in lines.take_while(|l| !l.trim_start().starts_with('[')) {
        section.push_str(line);
        section.push('\n');
    }
    section
}

/// `cargo` (the one running this bench) building into `target`, from `dir`.
fn cargo(dir: &Path, target: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("CARGO_BUILD_TARGET_DIR")
        // a jobserver of the cargo running this bench must not limit the
        // builds being timed
        .env_remove("CARGO_MAKEFLAGS")
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS");
    cmd
}

/// Runs `cmd` to its end; panics with its stderr unless it succeeds.
fn run(cmd: &mut Command, what: &str) -> Output {
    let out = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Wall and CPU (user + system) seconds of one build.
#[derive(Clone, Copy)]
struct Time {
    wall: f64,
    cpu: f64,
}

/// User plus system CPU seconds of the waited-for descendants so far.
fn children_cpu() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the rusage it is given.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    assert_eq!(rc, 0, "getrusage failed");
    // SAFETY: getrusage succeeded, so `usage` is initialized.
    let usage = unsafe { usage.assume_init() };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Runs `cmd` to its end and returns its wall time and the CPU time of
/// it and all it ran (cargo waits for each rustc and linker).
fn timed(cmd: &mut Command, what: &str) -> Time {
    let cpu = children_cpu();
    let start = Instant::now();
    run(cmd, what);
    Time {
        wall: start.elapsed().as_secs_f64(),
        cpu: children_cpu() - cpu,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A temporary crate of one program.
struct Crate {
    program: Program,
    dir: PathBuf,
}

impl Crate {
    /// Writes the crate under `root`, with the workspace's lock file, and
    /// fetches what it depends on (offline from the registry cache when
    /// everything is there).
    fn new(program: Program, root: &Path) -> Crate {
        let dir = root.join(program.package());
        std::fs::create_dir_all(dir.join("src")).expect("the crate's directory");
        std::fs::write(dir.join("Cargo.toml"), program.manifest()).expect("its Cargo.toml");
        std::fs::copy(
            Path::new(WORKSPACE).join("Cargo.lock"),
            dir.join("Cargo.lock"),
        )
        .expect("the workspace's Cargo.lock");
        let krate = Crate { program, dir };
        krate.edit(0);
        let target = root.join("fetch-target");
        let offline = cargo(&krate.dir, &target)
            .args(["fetch", "--offline"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !offline {
            run(cargo(&krate.dir, &target).arg("fetch"), "cargo fetch");
        }
        krate
    }

    /// Writes the source with the handler printing `(edit N)`.
    fn edit(&self, edit: usize) {
        std::fs::write(self.dir.join("src/main.rs"), self.program.source(edit))
            .expect("the crate's main.rs");
    }

    /// A debug build into `target`, timed.
    fn build(&self, target: &Path) -> Time {
        timed(
            cargo(&self.dir, target).args(["build", "--frozen"]),
            &format!("cargo build of {}", self.program.package()),
        )
    }

    /// Runs the debug build in `target` on a directory of [`FILES`] files
    /// and checks that it prints what the source of edit `edit` says.
    fn check(&self, target: &Path, edit: usize) {
        let sandbox = self.dir.join("sandbox");
        let counted = sandbox.join("counted");
        std::fs::create_dir_all(&counted).expect("the counted directory");
        for i in 0..FILES {
            std::fs::write(counted.join(format!("{i}.txt")), "").expect("a counted file");
        }
        // the configuration a script installed on a machine has
        let etc = sandbox.join("etc");
        std::fs::create_dir_all(etc.join(self.program.package())).expect("etc/<name>/");
        std::fs::write(etc.join(format!("{}.conf", self.program.package())), "{}\n")
            .expect("etc/<name>.conf");
        let exe = target.join("debug").join(self.program.package());
        let out = run(
            Command::new(&exe)
                .args(["count", "--dir"])
                .arg(&counted)
                .env("APP_ROOT_PATH", &sandbox),
            &exe.display().to_string(),
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let expected = Program::expected(edit);
        assert!(
            stdout.lines().any(|l| l == expected),
            "{} printed {stdout:?}, not {expected:?}",
            exe.display()
        );
    }
}

/// Build times of one program.
struct Times {
    clean: Time,
    rebuilds: Vec<Time>,
}

impl Times {
    /// The median rebuild's wall time.
    fn rebuild(&self) -> f64 {
        median(self.rebuilds.iter().map(|t| t.wall).collect())
    }

    /// The median rebuild's CPU time.
    fn rebuild_cpu(&self) -> f64 {
        median(self.rebuilds.iter().map(|t| t.cpu).collect())
    }
}

/// The clean builds of `programs`, one after the other, then their
/// incremental rebuilds in rounds (each round rebuilds each program once,
/// so that a busier moment of the machine falls on all of them), each
/// program checked after its clean build and its last rebuild; the target
/// directories are removed afterwards.
fn build_times(programs: &[Program], root: &Path) -> BTreeMap<Program, Times> {
    let crates: Vec<(Crate, PathBuf)> = programs
        .iter()
        .map(|&program| {
            let target = root.join(format!("target-{}", program.scenario()));
            (Crate::new(program, root), target)
        })
        .collect();
    let mut times: BTreeMap<Program, Times> = BTreeMap::new();
    for (krate, target) in &crates {
        let clean = krate.build(target);
        krate.check(target, 0);
        let rebuilds = Vec::with_capacity(REBUILDS);
        times.insert(krate.program, Times { clean, rebuilds });
    }
    for edit in 1..=REBUILDS {
        for (krate, target) in &crates {
            krate.edit(edit);
            let rebuild = krate.build(target);
            times
                .get_mut(&krate.program)
                .unwrap()
                .rebuilds
                .push(rebuild);
        }
    }
    for (krate, target) in &crates {
        krate.check(target, REBUILDS);
        let _ = std::fs::remove_dir_all(target);
    }
    times
}

/// The target directory of the cargo that built this bench.
fn workspace_target() -> PathBuf {
    let exe = std::env::current_exe().expect("current executable");
    // <target>/<profile>/deps/build-<hash>
    exe.ancestors()
        .nth(3)
        .expect("the bench lives in <target>/<profile>/deps")
        .to_path_buf()
}

/// Builds in release with `args` from `dir` into the workspace's target
/// directory and returns the executables built, by file name. The
/// examples are built as `cargo build --release --examples` builds them.
fn release_build(dir: &Path, args: &[&str]) -> BTreeMap<String, PathBuf> {
    let out = run(
        cargo(dir, &workspace_target())
            .args(["build", "--release"])
            .args(["--message-format", "json-render-diagnostics"])
            .args(args),
        &format!("cargo build --release {}", args.join(" ")),
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .map(|exe| (exe.file_name().unwrap().to_string_lossy().into_owned(), exe))
        .collect()
}

/// The size of `exe` stripped (a copy in `dir`), in bytes.
fn stripped_size(exe: &Path, dir: &Path) -> u64 {
    std::fs::create_dir_all(dir).expect("the directory of stripped copies");
    let copy = dir.join(exe.file_name().unwrap());
    run(
        Command::new("strip")
            .arg("--strip-all")
            .arg("-o")
            .arg(&copy)
            .arg(exe),
        "strip (binutils)",
    );
    std::fs::metadata(&copy).expect("the stripped copy").len()
}

/// Release sizes, stripped, in bytes.
struct Sizes {
    demo_app: u64,
    baseline: u64,
    script: u64,
    minimal: u64,
}

fn sizes(root: &Path) -> Sizes {
    let stripped = root.join("stripped");
    let examples = release_build(
        Path::new(WORKSPACE),
        &[
            "--offline",
            "--example",
            "demo_app",
            "--example",
            "baseline",
        ],
    );
    let example = |name: &str| {
        let exe = examples
            .get(name)
            .unwrap_or_else(|| panic!("cargo built no example {name}: {examples:?}"));
        stripped_size(exe, &stripped)
    };
    let script = |program: Program| {
        let krate = Crate::new(program, root);
        let built = release_build(&krate.dir, &["--frozen"]);
        let exe = built
            .get(program.package())
            .unwrap_or_else(|| panic!("cargo built no {}: {built:?}", program.package()));
        stripped_size(exe, &stripped)
    };
    Sizes {
        demo_app: example("demo_app"),
        baseline: example("baseline"),
        script: script(Program::Script),
        minimal: script(Program::Minimal),
    }
}

/// The three load averages of `/proc/loadavg`.
fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One row of the table.
struct Row {
    figure: &'static str,
    zenkit: Option<f64>,
    counterpart: Option<f64>,
    /// CPU seconds of both, for build times.
    cpu: Option<(f64, f64)>,
    unit: &'static str,
    goal: Goal,
}

#[derive(Clone, Copy)]
enum Goal {
    None,
    /// At most this ratio to the counterpart.
    Ratio(f64),
    /// At most this many units.
    Absolute(f64),
}

impl Row {
    fn print(&self) {
        let value =
            |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.2} {}", self.unit));
        let ratio = self.zenkit.zip(self.counterpart).map(|(z, c)| z / c);
        let (goal, met) = match self.goal {
            Goal::None => (String::new(), None),
            Goal::Ratio(max) => (format!("≤ {max}×"), ratio.map(|r| r <= max)),
            Goal::Absolute(max) => (
                format!("≤ {max} {}", self.unit),
                self.zenkit.map(|z| z <= max),
            ),
        };
        let times = |r: Option<f64>| r.map_or("—".to_string(), |r| format!("{r:.2}×"));
        println!(
            "{:<48} {:>9} {:>11} {:>7} {:>9} {:>8}  {}",
            self.figure,
            value(self.zenkit),
            value(self.counterpart),
            times(ratio),
            times(self.cpu.map(|(z, c)| z / c)),
            goal,
            match met {
                Some(true) => "met",
                Some(false) => "not met",
                None => "",
            }
        );
    }
}

fn main() {
    let known = ["script", "minimal", "clap", "sizes"];
    // `cargo bench` passes `--bench`; the other arguments name scenarios
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for name in &named {
        assert!(
            known.contains(&name.as_str()),
            "unknown scenario {name:?}: name some of {}, or none for all",
            known.join(", ")
        );
    }
    let wanted = |name: &str| named.is_empty() || named.iter().any(|n| n == name);

    let root = tempfile::Builder::new()
        .prefix("zenkit-bench-build-")
        .tempdir()
        .expect("a temporary directory");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!(
        "{cores} cores, load average {} at the start; {rustc}",
        load_average()
    );
    println!(
        "build times: wall (the CPU ratio: user + system of cargo and all it runs), debug profile; \
         clean = empty target directory, registry fetched; \
         incremental = median of {REBUILDS} rebuilds, each after a literal in the handler changed"
    );
    println!(
        "counterparts: a clap 4 derive hello world with the same option and command (times), \
         the framework-free `baseline` example (sizes, release, stripped)"
    );
    println!();

    let started = Instant::now();
    let programs: Vec<Program> = [Program::Clap, Program::Script, Program::Minimal]
        .into_iter()
        .filter(|p| wanted(p.scenario()))
        .collect();
    let times = build_times(&programs, root.path());
    let sizes = wanted("sizes").then(|| sizes(root.path()));

    let clean = |p: Program| times.get(&p).map(|t: &Times| t.clean.wall);
    let rebuild = |p: Program| times.get(&p).map(Times::rebuild);
    let clean_cpu = |p: Program| times.get(&p).map(|t: &Times| t.clean.cpu);
    let rebuild_cpu = |p: Program| times.get(&p).map(Times::rebuild_cpu);
    let size = |f: fn(&Sizes) -> u64| sizes.as_ref().map(|s| f(s) as f64 / MB);
    let rows = [
        Row {
            figure: "clean debug build, script, default features",
            zenkit: clean(Program::Script),
            counterpart: clean(Program::Clap),
            cpu: clean_cpu(Program::Script).zip(clean_cpu(Program::Clap)),
            unit: "s",
            goal: Goal::None,
        },
        Row {
            figure: "clean debug build, script, minimal features",
            zenkit: clean(Program::Minimal),
            counterpart: clean(Program::Clap),
            cpu: clean_cpu(Program::Minimal).zip(clean_cpu(Program::Clap)),
            unit: "s",
            goal: Goal::Ratio(2.5),
        },
        Row {
            figure: "incremental rebuild, script, default features",
            zenkit: rebuild(Program::Script),
            counterpart: rebuild(Program::Clap),
            cpu: rebuild_cpu(Program::Script).zip(rebuild_cpu(Program::Clap)),
            unit: "s",
            goal: Goal::Ratio(1.5),
        },
        Row {
            figure: "incremental rebuild, script, minimal features",
            zenkit: rebuild(Program::Minimal),
            counterpart: rebuild(Program::Clap),
            cpu: rebuild_cpu(Program::Minimal).zip(rebuild_cpu(Program::Clap)),
            unit: "s",
            goal: Goal::Ratio(1.5),
        },
        Row {
            figure: "release size stripped, demo_app",
            zenkit: size(|s| s.demo_app),
            counterpart: size(|s| s.baseline),
            cpu: None,
            unit: "MB",
            goal: Goal::None,
        },
        Row {
            figure: "release size stripped, script, default features",
            zenkit: size(|s| s.script),
            counterpart: size(|s| s.baseline),
            cpu: None,
            unit: "MB",
            goal: Goal::None,
        },
        Row {
            figure: "release size stripped, script, minimal features",
            zenkit: size(|s| s.minimal),
            counterpart: size(|s| s.baseline),
            cpu: None,
            unit: "MB",
            goal: Goal::Absolute(1.0),
        },
    ];
    println!(
        "{:<48} {:>9} {:>11} {:>7} {:>9} {:>8}  met",
        "figure", "zenkit", "counterpart", "ratio", "CPU ratio", "goal"
    );
    for row in rows
        .iter()
        .filter(|r| r.zenkit.is_some() || r.counterpart.is_some())
    {
        row.print();
    }
    println!();
    for (program, t) in &times {
        let list = |f: fn(&Time) -> f64| {
            let all: Vec<String> = t.rebuilds.iter().map(|r| format!("{:.2}", f(r))).collect();
            all.join(" ")
        };
        println!(
            "{:<8} clean {:.1} s wall, {:.1} s CPU; rebuilds {} s wall, {} s CPU",
            program.scenario(),
            t.clean.wall,
            t.clean.cpu,
            list(|r| r.wall),
            list(|r| r.cpu)
        );
    }
    println!("load average {} at the end", load_average());
    println!("(MB = 10^6 bytes; counterpart of the sizes: baseline)");
    println!("whole bench: {:.0} s", started.elapsed().as_secs_f64());
}
