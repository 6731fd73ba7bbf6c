//! Compile-time tests of the macros: programs that must build and pass
//! their own run-time assertions, and misuses that must fail with the
//! reviewed messages in the `.stderr` files beside them.

use std::path::{Path, PathBuf};

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/*/pass/*.rs");
    t.compile_fail("tests/ui/*/fail/*.rs");
}

/// What no reviewed message may show an author: the macros' internals, the
/// crates behind the traits zenkit names, lists of unrelated types, and
/// paths of the machine the expectations were written on.
const FORBIDDEN: [&str; 6] = [
    "__private",
    "__zenkit",
    "__ZENKIT",
    "serde_core",
    "the following other types implement",
    "--> /",
];

/// The `.stderr` expectations of every crate's compile-fail cases.
fn expectations() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for ui in [root.join("tests/ui"), root.join("feature-tests/tests/ui")] {
        let mut dirs = vec![ui];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "stderr") {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    files
}

#[test]
fn messages_speak_the_authors_terms() {
    let files = expectations();
    assert!(files.len() > 40, "only {} .stderr files found", files.len());
    let mut leaks = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            if let Some(word) = FORBIDDEN.iter().find(|word| line.contains(*word)) {
                leaks.push(format!("{}:{}: {word}: {line}", file.display(), number + 1));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "internals in messages:\n{}",
        leaks.join("\n")
    );
}
