//! Signal names of `#[on_signal(...)]` and the events they become.

use zenkit_builtins::SIGNALS;

/// Signals no handler may wait for, and why.
const REFUSED: &[(&str, &str)] = &[
    (
        "SIGKILL",
        "SIGKILL cannot be caught: the kernel ends the process",
    ),
    (
        "SIGSTOP",
        "SIGSTOP cannot be caught: the kernel stops the process",
    ),
    (
        "SIGINT",
        "SIGINT stops the daemon gracefully (the third one at once); handle `#[on_event(\"stop\")]` instead",
    ),
    (
        "SIGTERM",
        "SIGTERM leaves the event loop at once, without running handlers; put clean-up in the application's `#[teardown]` method",
    ),
    ("SIGSEGV", "SIGSEGV is a fault of the process, not for handlers"),
    ("SIGBUS", "SIGBUS is a fault of the process, not for handlers"),
    ("SIGFPE", "SIGFPE is a fault of the process, not for handlers"),
    ("SIGILL", "SIGILL is a fault of the process, not for handlers"),
    (
        "SIGABRT",
        "SIGABRT is the process aborting itself, not for handlers",
    ),
    (
        "SIGIOT",
        "SIGIOT (SIGABRT) is the process aborting itself, not for handlers",
    ),
];

/// The event signal `name` becomes, or why it cannot be handled.
pub(crate) fn event_of(name: &str) -> Result<String, String> {
    if SIGNALS.contains(&name) {
        return Ok(zenkit_builtins::signal_event(name));
    }
    if let Some((_, why)) = REFUSED.iter().find(|(n, _)| *n == name) {
        return Err(format!("`#[on_signal({name})]` is not allowed: {why}"));
    }
    let upper = name.to_ascii_uppercase();
    let guess = [upper.clone(), format!("SIG{upper}")]
        .into_iter()
        .find(|g| SIGNALS.contains(&g.as_str()));
    Err(match guess {
        Some(guess) => format!("unknown signal `{name}`; did you mean `{guess}`?"),
        None => format!("unknown signal `{name}`; valid signals: {}", names()),
    })
}

/// The valid signal names, for messages.
fn names() -> String {
    SIGNALS.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_the_lower_case_name_without_sig() {
        for name in SIGNALS {
            let expected = match *name {
                "SIGPOLL" => "signal_io".to_string(),
                _ => format!("signal_{}", name[3..].to_ascii_lowercase()),
            };
            assert_eq!(event_of(name), Ok(expected));
        }
    }

    #[test]
    fn refused_and_unknown_names() {
        let err = |name| event_of(name).unwrap_err();
        assert!(err("SIGINT").contains("#[on_event(\"stop\")]"));
        assert!(err("SIGTERM").contains("#[teardown]"));
        assert!(err("SIGKILL").contains("cannot be caught"));
        assert!(err("SIGSEGV").contains("not for handlers"));
        assert_eq!(
            err("sighup"),
            "unknown signal `sighup`; did you mean `SIGHUP`?"
        );
        assert_eq!(
            err("USR1"),
            "unknown signal `USR1`; did you mean `SIGUSR1`?"
        );
        let unknown = err("SIGFOO");
        assert!(
            unknown.starts_with("unknown signal `SIGFOO`; valid signals: SIGHUP, SIGQUIT,"),
            "{unknown}"
        );
        for (name, _) in REFUSED {
            assert!(!SIGNALS.contains(name), "{name}");
        }
    }
}
