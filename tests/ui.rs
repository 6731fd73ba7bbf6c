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

/// Where each error of a `.stderr` file points: the file and line:column
/// after its `-->`, if the line after the error's headline has one.
fn error_locations(text: &str) -> Vec<Option<(String, String)>> {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.starts_with("error:") || line.starts_with("error["))
        .map(|(i, _)| {
            let next = lines.get(i + 1)?.trim_start().strip_prefix("--> ")?;
            let (file, position) = next.split_once(':')?;
            Some((file.to_string(), position.to_string()))
        })
        .collect()
}

/// Every misuse case is one error on the author's own token: each error of
/// a case points into the case's own file, no two at the same token (a
/// second error there would be a cascade), and the cases cover at least a
/// hundred mistakes.
#[test]
fn every_mistake_is_one_error_on_the_authors_token() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut mistakes = 0;
    let mut wrong = Vec::new();
    for file in expectations() {
        let text = std::fs::read_to_string(&file).unwrap();
        let case = file.with_extension("rs");
        let case = case
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut seen = std::collections::BTreeSet::new();
        for location in error_locations(&text) {
            mistakes += 1;
            match location {
                Some((path, position)) if case.ends_with(&path) => {
                    if !seen.insert(position.clone()) {
                        wrong.push(format!("{case}:{position}: two errors at one token"));
                    }
                }
                Some((path, position)) => wrong.push(format!(
                    "{case}: an error in {path}:{position}, not in the case"
                )),
                None => wrong.push(format!("{case}: an error without a location")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(mistakes >= 100, "only {mistakes} misuse cases");
}
