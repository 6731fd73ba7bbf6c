//! Shell completions (`--action completions`) and the manual page
//! (`--action man`), generated from the very command that parses the
//! arguments, so the options of plugins and components are in them.
//!
//! Both are printed from the command line alone, before any
//! configuration, log file or state is touched.

use std::io::Write;

use clap::Command;
use clap_complete::Shell;

use crate::{Error, Result};

/// What an action answered from the command line prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Page {
    /// A completion script for the shell named by `--input`.
    Completions,
    /// The manual page, in roff.
    Man,
}

/// The shells completions are generated for, as `--input` names them.
const SHELLS: &[(&str, Shell)] = &[
    ("bash", Shell::Bash),
    ("zsh", Shell::Zsh),
    ("fish", Shell::Fish),
];

impl Page {
    /// The page action `name` prints, if it is one of them.
    pub(crate) fn of(name: &str) -> Option<Page> {
        match name {
            "completions" => Some(Page::Completions),
            "man" => Some(Page::Man),
            _ => None,
        }
    }
}

/// Writes `page` of command `cmd` to stdout; `shell` is what `--input`
/// says.
pub(crate) fn print(page: Page, cmd: Command, shell: Option<&str>) -> Result<()> {
    let mut out = std::io::stdout().lock();
    write(page, cmd, shell, &mut out)?;
    out.flush()
        .map_err(|e| Error::msg(format!("cannot write to stdout: {e}")))
}

/// Writes `page` of command `cmd` to `out`.
fn write(page: Page, mut cmd: Command, shell: Option<&str>, out: &mut dyn Write) -> Result<()> {
    match page {
        Page::Completions => {
            let shell = self::shell(shell)?;
            let name = cmd.get_name().to_string();
            // the generators write all at once and cannot report a failure
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, name, &mut script);
            out.write_all(&script)
        }
        Page::Man => clap_mangen::Man::new(cmd).render(out),
    }
    .map_err(|e| Error::msg(format!("cannot write to stdout: {e}")))
}

/// The shell named by `--input`.
fn shell(name: Option<&str>) -> Result<Shell> {
    let names = SHELLS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ");
    let Some(name) = name else {
        return Err(Error::usage(format!(
            "--action completions needs the shell: give --input with one of {names}"
        )));
    };
    SHELLS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, shell)| *shell)
        .ok_or_else(|| {
            Error::usage(format!(
                "--input '{name}' is not a shell completions are made for; use one of {names}"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Arg;

    fn cmd() -> Command {
        Command::new("tool")
            .about("Does things")
            .arg(Arg::new("who").long("who").help("Whom to greet"))
            .subcommand(Command::new("restore").arg(Arg::new("snapshot").required(true)))
    }

    fn render(page: Page, shell: Option<&str>) -> Result<String> {
        let mut out = Vec::new();
        write(page, cmd(), shell, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn completions_for_each_shell_name_the_options() {
        for (name, _) in SHELLS {
            let script = render(Page::Completions, Some(name)).unwrap();
            assert!(script.contains("who"), "{name}: {script}");
            assert!(script.contains("restore"), "{name}: {script}");
        }
        assert!(render(Page::Completions, Some("bash"))
            .unwrap()
            .contains("complete -F _tool"));
    }

    #[test]
    fn a_missing_or_unknown_shell_is_a_usage_error() {
        let err = render(Page::Completions, None).unwrap_err();
        assert_eq!(err.exit_code(), 64);
        assert!(err.message().contains("--input"), "{err}");
        let err = render(Page::Completions, Some("tcsh")).unwrap_err();
        assert_eq!(
            err.message(),
            "--input 'tcsh' is not a shell completions are made for; use one of bash, zsh, fish"
        );
    }

    #[test]
    fn the_manual_page_is_roff() {
        let page = render(Page::Man, None).unwrap();
        assert!(
            page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH tool"),
            "{page}"
        );
        assert!(page.contains("Whom to greet"), "{page}");
        assert!(page.contains("restore"), "{page}");
    }

    #[test]
    fn only_these_actions_are_pages() {
        assert_eq!(Page::of("man"), Some(Page::Man));
        assert_eq!(Page::of("completions"), Some(Page::Completions));
        assert_eq!(Page::of("config-view"), None);
    }
}
