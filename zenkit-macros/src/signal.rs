//! Signal names of `#[on_signal(...)]` and the events they become.

/// The signals a handler may wait for, with the event each becomes:
/// `signal_` and the name in lower case without `SIG`, as the runtime's
/// `zenkit::daemon::signal_event` names them. `SIGPOLL` is another name of
/// `SIGIO`.
pub(crate) const SIGNALS: &[(&str, &str)] = &[
    ("SIGHUP", "signal_hup"),
    ("SIGQUIT", "signal_quit"),
    ("SIGTRAP", "signal_trap"),
    ("SIGUSR1", "signal_usr1"),
    ("SIGUSR2", "signal_usr2"),
    ("SIGPIPE", "signal_pipe"),
    ("SIGALRM", "signal_alrm"),
    ("SIGCHLD", "signal_chld"),
    ("SIGCONT", "signal_cont"),
    ("SIGTSTP", "signal_tstp"),
    ("SIGTTIN", "signal_ttin"),
    ("SIGTTOU", "signal_ttou"),
    ("SIGURG", "signal_urg"),
    ("SIGXCPU", "signal_xcpu"),
    ("SIGXFSZ", "signal_xfsz"),
    ("SIGVTALRM", "signal_vtalrm"),
    ("SIGPROF", "signal_prof"),
    ("SIGWINCH", "signal_winch"),
    ("SIGIO", "signal_io"),
    ("SIGPOLL", "signal_io"),
    ("SIGPWR", "signal_pwr"),
    ("SIGSYS", "signal_sys"),
];

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
pub(crate) fn event_of(name: &str) -> Result<&'static str, String> {
    if let Some((_, event)) = SIGNALS.iter().find(|(n, _)| *n == name) {
        return Ok(event);
    }
    if let Some((_, why)) = REFUSED.iter().find(|(n, _)| *n == name) {
        return Err(format!("`#[on_signal({name})]` is not allowed: {why}"));
    }
    let upper = name.to_ascii_uppercase();
    let guess = [upper.clone(), format!("SIG{upper}")]
        .into_iter()
        .find(|g| SIGNALS.iter().any(|(n, _)| n == g));
    Err(match guess {
        Some(guess) => format!("unknown signal `{name}`; did you mean `{guess}`?"),
        None => format!("unknown signal `{name}`; valid signals: {}", names()),
    })
}

/// The valid signal names, for messages.
fn names() -> String {
    SIGNALS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_the_lower_case_name_without_sig() {
        for (name, event) in SIGNALS {
            let expected = match *name {
                "SIGPOLL" => "signal_io".to_string(),
                _ => format!("signal_{}", name[3..].to_ascii_lowercase()),
            };
            assert_eq!(*event, expected);
            assert_eq!(event_of(name), Ok(*event));
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
            assert!(!SIGNALS.iter().any(|(n, _)| n == name), "{name}");
        }
    }
}
