//! Filter directives in the `RUST_LOG` syntax (see [`LogFilter`]).

use std::fmt;

use serde::{Deserialize, Deserializer};
use zenkit_builtins::LOG_LEVELS;

use super::level::{LogLevel, Rank};

/// Filter directives in the `RUST_LOG` syntax: comma-separated
/// `target=level`, `target` (everything of the target) and a bare `level`
/// (the default of every other target), e.g.
/// `info,mytool::db=debug,hyper=warn`. A target matches an event whose
/// target starts with it (as `env_logger` and `tracing-subscriber` match);
/// the longest matching target wins, and of two directives for the same
/// target the later. The levels are `off` and the names `log_level`
/// accepts (`trace`, `debug`, `info`, `warning` or `warn`, `error`,
/// `critical`), in any case.
///
/// Span directives (`target[span{field=value}]=level`) and the `/regex`
/// filter of `env_logger` are refused with a message saying so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFilter {
    text: String,
    /// The rank of a bare level, when one is given.
    default: Option<Rank>,
    /// Targets with their ranks, the longest target first; of equal
    /// targets the one given last first.
    targets: Vec<(String, Rank)>,
}

/// What is wrong with a directive, and where in the text it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// The 1-based position (in characters) of the directive in the text.
    pub column: usize,
    /// The directive as given.
    pub directive: String,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid log filter directive '{}' (character {}): {}",
            self.directive, self.column, self.problem
        )
    }
}

impl std::error::Error for FilterError {}

fn rank_of(name: &str) -> Option<Rank> {
    if name.eq_ignore_ascii_case("off") {
        return Some(Rank::OFF);
    }
    LogLevel::parse(name).ok().map(LogLevel::rank)
}

fn level_names() -> String {
    let mut names = vec!["off"];
    names.extend(LOG_LEVELS.iter().copied());
    names.join(", ")
}

impl LogFilter {
    /// Parses directives; an empty text (or only commas and blanks) is a
    /// filter that changes nothing.
    pub fn parse(text: &str) -> Result<LogFilter, FilterError> {
        let mut default = None;
        let mut targets: Vec<(String, Rank)> = Vec::new();
        let mut offset = 0;
        for piece in text.split(',') {
            let column = text[..offset].chars().count() + 1;
            offset += piece.len() + 1;
            let directive = piece.trim();
            if directive.is_empty() {
                continue;
            }
            let leading = piece.len() - piece.trim_start().len();
            let column = column + piece[..leading].chars().count();
            let error = |problem: String| FilterError {
                column,
                directive: directive.to_string(),
                problem,
            };
            if directive.contains(['[', ']', '{', '}']) {
                return Err(error(
                    "span filters are not supported; give targets and levels only".into(),
                ));
            }
            if directive.contains('/') {
                return Err(error(
                    "the /regex message filter is not supported; give targets and levels only"
                        .into(),
                ));
            }
            match directive.split_once('=') {
                Some((target, level)) => {
                    let (target, level) = (target.trim(), level.trim());
                    if target.is_empty() {
                        return Err(error("no target before '='".into()));
                    }
                    if !valid_target(target) {
                        return Err(error(format!("'{target}' is not a target")));
                    }
                    let rank = rank_of(level).ok_or_else(|| {
                        error(format!(
                            "unknown level '{level}'; expected one of {}",
                            level_names()
                        ))
                    })?;
                    targets.push((target.to_string(), rank));
                }
                None => match rank_of(directive) {
                    Some(rank) => default = Some(rank),
                    None if valid_target(directive) => {
                        targets.push((directive.to_string(), Rank::TRACE));
                    }
                    None => {
                        return Err(error(format!(
                            "neither a level ({}) nor a target; directives are comma-separated `target=level`, `target` or `level`, e.g. info,mytool::db=debug",
                            level_names()
                        )))
                    }
                },
            }
        }
        // the longest target first; the stable sort of the reversed list
        // puts the later of two equal targets first
        targets.reverse();
        targets.sort_by_key(|(target, _)| std::cmp::Reverse(target.len()));
        Ok(LogFilter {
            text: text.to_string(),
            default,
            targets,
        })
    }

    /// The directives as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The rank the directives give events of `target`: that of the longest
    /// matching target, else the bare level; `None` when neither is given.
    pub(crate) fn rank_for(&self, target: &str) -> Option<Rank> {
        self.targets
            .iter()
            .find(|(prefix, _)| target.starts_with(prefix.as_str()))
            .map(|(_, rank)| *rank)
            .or(self.default)
    }

    /// The most verbose rank any directive gives.
    pub(crate) fn max_rank(&self) -> Option<Rank> {
        self.targets
            .iter()
            .map(|(_, rank)| *rank)
            .chain(self.default)
            .max()
    }
}

/// A target is a Rust path or a `log` target: letters, digits, `_`, `-`,
/// `.` and `::` separators.
fn valid_target(target: &str) -> bool {
    !target.is_empty()
        && target
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

impl std::str::FromStr for LogFilter {
    type Err = FilterError;

    fn from_str(s: &str) -> Result<LogFilter, FilterError> {
        LogFilter::parse(s)
    }
}

impl<'de> Deserialize<'de> for LogFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        LogFilter::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(text: &str) -> LogFilter {
        LogFilter::parse(text).unwrap()
    }

    #[test]
    fn targets_match_by_prefix_the_longest_first() {
        let f = filter("info,mytool::db=debug,hyper=warn,mytool=error");
        assert_eq!(f.rank_for("mytool::db"), Some(Rank::DEBUG));
        assert_eq!(f.rank_for("mytool::db::pool"), Some(Rank::DEBUG));
        assert_eq!(f.rank_for("mytool::web"), Some(Rank::ERROR));
        assert_eq!(f.rank_for("hyper::client"), Some(Rank::WARN));
        assert_eq!(f.rank_for("other"), Some(Rank::INFO));
        assert_eq!(f.max_rank(), Some(Rank::DEBUG));
        assert_eq!(f.as_str(), "info,mytool::db=debug,hyper=warn,mytool=error");
    }

    #[test]
    fn without_a_bare_level_other_targets_are_left_alone() {
        let f = filter("example=debug");
        assert_eq!(f.rank_for("example::store"), Some(Rank::DEBUG));
        assert_eq!(f.rank_for("zenkit"), None);
        assert_eq!(filter("").rank_for("x"), None);
        assert_eq!(filter(" , ").max_rank(), None);
    }

    #[test]
    fn a_bare_target_is_everything_and_the_later_of_two_wins() {
        let f = filter("a, a=warn ,b=info,b=off,WARNING");
        assert_eq!(f.rank_for("a"), Some(Rank::WARN));
        assert_eq!(f.rank_for("b"), Some(Rank::OFF));
        assert_eq!(f.rank_for("c"), Some(Rank::WARN));
        assert_eq!(filter("db").rank_for("db::x"), Some(Rank::TRACE));
        assert_eq!(filter("x=Critical").rank_for("x"), Some(Rank::ERROR));
        assert_eq!(filter("x=TRACE").max_rank(), Some(Rank::TRACE));
    }

    #[test]
    fn bad_directives_say_what_and_where() {
        let err = LogFilter::parse("info,db=loud").unwrap_err();
        assert_eq!(err.column, 6);
        assert_eq!(err.directive, "db=loud");
        assert_eq!(
            err.to_string(),
            "invalid log filter directive 'db=loud' (character 6): unknown level 'loud'; expected one of off, trace, debug, info, warning, warn, error, critical"
        );
        let err = LogFilter::parse("info, =debug").unwrap_err();
        assert_eq!(
            (err.column, err.problem.as_str()),
            (7, "no target before '='")
        );
        let err = LogFilter::parse("x[span]=debug").unwrap_err();
        assert!(
            err.problem.starts_with("span filters are not supported"),
            "{err}"
        );
        let err = LogFilter::parse("info/foo").unwrap_err();
        assert!(err.problem.starts_with("the /regex"), "{err}");
        let err = LogFilter::parse("a b").unwrap_err();
        assert!(err.problem.starts_with("neither a level"), "{err}");
        let err: Result<LogFilter, _> = serde_json::from_value(serde_json::json!("x=nope"));
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("unknown level 'nope'"));
    }
}
