use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(defaults(umask = "0o027", paralel = true, pid_file = "/run/plain.pid"))]
struct Plain {
    #[zen(config)]
    pid_file: String,
}

impl Hooks for Plain {}

#[derive(ZenApp, Default)]
#[zen(
    daemon,
    defaults(umask = 27, work_dir = 1, paralel = "yes", chroot_dir = "/srv/jail")
)]
struct Service {
    #[zen(cli)]
    umask: String,
    #[zen(cli(long = "pid-file"))]
    pid: String,
    #[zen(cli)]
    parallel: bool,
    #[zen(cli(long = "paralel"))]
    sloppy: bool,
    #[zen(config)]
    work_dir: String,
}

impl Hooks for Service {}

#[derive(ZenApp, Default)]
#[zen(daemon, defaults(umask = "0o029"))]
struct Masked {}

impl Hooks for Masked {}

#[derive(ZenApp, Default)]
#[zen(daemon, defaults(umask = 0o1000))]
struct Wide {}

impl Hooks for Wide {}

fn main() {}
