//! Shell completions (`--action completions`) and the manual page
//! (`--action man`), generated from the very command that parses the
//! arguments, so the options of plugins and components are in them.
//!
//! Both are printed from the command line alone, before any
//! configuration, log file or state is touched.

use std::io::Write;

use clap::Command;
use clap_complete::Shell;

use crate::host::{Host, Stream};
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
            zenkit_builtins::COMPLETIONS => Some(Page::Completions),
            zenkit_builtins::MAN => Some(Page::Man),
            _ => None,
        }
    }
}

/// Writes `page` of command `cmd` to the standard output of `host`;
/// `shell` is what `--input` says.
pub(crate) fn print(page: Page, cmd: Command, shell: Option<&str>, host: &Host) -> Result<()> {
    let mut out = host.writer(Stream::Stdout);
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
        Page::Man => man_page(cmd, out),
    }
    .map_err(|e| Error::msg(format!("cannot write to stdout: {e}")))
}

/// The manual page of `cmd`: clap_mangen's sections, with a script's
/// commands in a section of their own that gives each one's usage, help,
/// arguments and options (clap_mangen would point to a page per command).
fn man_page(mut cmd: Command, out: &mut dyn Write) -> std::io::Result<()> {
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    if cmd.has_subcommands() {
        commands_section(&mut cmd).to_writer(out)?;
    }
    if cmd.get_after_help().is_some() || cmd.get_after_long_help().is_some() {
        man.render_extra_section(out)?;
    }
    if cmd.get_version().is_some() {
        man.render_version_section(out)?;
    }
    Ok(())
}

/// The COMMANDS section: each command's usage line, its help, then its own
/// arguments and options (not the ones every command shares).
fn commands_section(cmd: &mut Command) -> roff::Roff {
    use roff::{bold, italic, roman};
    let mut page = roff::Roff::new();
    page.control("SH", ["COMMANDS"]);
    for sub in cmd.get_subcommands_mut() {
        let usage = sub.render_usage().to_string();
        let usage = usage.trim().trim_start_matches("Usage:").trim().to_string();
        page.control("TP", []).text([bold(usage)]);
        if let Some(about) = sub.get_about() {
            page.text([roman(about.to_string())]);
        }
        let own = |a: &&clap::Arg| !a.is_global_set() && a.get_id() != "help";
        for arg in sub.get_arguments().filter(own) {
            let value = arg
                .get_value_names()
                .and_then(|names| names.first())
                .map_or_else(|| arg.get_id().to_string(), ToString::to_string);
            let name = if arg.is_positional() {
                format!("<{value}>")
            } else {
                let mut names: Vec<String> = arg
                    .get_short()
                    .map(|s| format!("-{s}"))
                    .into_iter()
                    .collect();
                names.extend(arg.get_long().map(|l| format!("--{l}")));
                let value = if arg.get_action().takes_values() {
                    format!(" <{value}>")
                } else {
                    String::new()
                };
                format!("{}{value}", names.join(", "))
            };
            page.control("RS", [])
                .control("TP", [])
                .text([italic(name)]);
            if let Some(help) = arg.get_help() {
                page.text([roman(help.to_string())]);
            }
            page.control("RE", []);
        }
    }
    page
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
            .subcommand(
                Command::new("restore")
                    .about("Puts a snapshot back")
                    .arg(Arg::new("snapshot").required(true).help("The snapshot"))
                    .arg(Arg::new("into").long("into").short('i').help("Where")),
            )
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
        assert!(page.contains(".SH COMMANDS"), "{page}");
        assert!(page.contains("tool restore [OPTIONS] <snapshot>"), "{page}");
        // each command's help option is the same, and not listed again
        assert_eq!(page.matches("Print help").count(), 1, "{page}");
        assert!(!page.contains("tool\\-restore(1)"), "{page}");
        assert!(page.contains("Puts a snapshot back"), "{page}");
        assert!(page.contains("\\fI<snapshot>\\fR\nThe snapshot"), "{page}");
        assert!(
            page.contains("\\fI\\-i, \\-\\-into <into>\\fR\nWhere"),
            "{page}"
        );
    }

    #[test]
    fn only_these_actions_are_pages() {
        assert_eq!(Page::of("man"), Some(Page::Man));
        assert_eq!(Page::of("completions"), Some(Page::Completions));
        assert_eq!(Page::of("config-view"), None);
    }
}
