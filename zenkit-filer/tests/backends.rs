//! A queue URL picks the backend registered for its scheme: without one
//! linked, the daemon does not start, and says which key and what to add.

use zenkit::prelude::*;
use zenkit_filer::Filer;

mod support;
use support::run_embedded;

#[derive(ZenApp, Default)]
#[zen(daemon, name = "stage")]
struct Stage {
    #[zen(component)]
    filer: Filer,
}

#[zenkit::app]
impl Stage {}

#[test]
fn a_queue_url_of_a_backend_not_linked_is_refused_naming_the_key() {
    let root = tempfile::tempdir().unwrap();
    std::env::set_var("APP_ROOT_PATH", root.path());
    let code = run_embedded::<Stage>("stage", &["--queue-out-dir", "nats:///NEXT"]);
    assert_eq!(code, 78, "a configuration error (EX_CONFIG)");
    let log = std::fs::read_to_string(root.path().join("var/log/stage.log")).unwrap();
    assert!(
        log.contains(
            "queue_out_dir: no queue backend for 'nats://' URLs is linked into this program: \
             add the zenkit-filer-nats package and `use zenkit_filer_nats as _;`"
        ),
        "{log}"
    );
    // refused before anything was made of the queues
    assert!(!root.path().join("var/spool/stage").exists());
}
