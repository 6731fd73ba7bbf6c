//! A progress bar for long loops run by a person at a terminal.
//!
//! [`Context::progress`](crate::Context::progress) draws on stderr only when stderr is a terminal and
//! the application is not quiet; otherwise the bar is hidden and every call on
//! it does nothing, so cron jobs and daemons get no escape sequences in their
//! output. Log lines written to the console while a bar is on screen are
//! printed above it instead of through it.
//!
//! The bar is drawn by indicatif, with the `progress` feature (a default
//! one). Without it the API is the same but for `Progress::with_target`,
//! which takes an indicatif draw target, and nothing is drawn: a bar that
//! would be drawn counts its steps all the same ([`Progress::position`]), a
//! hidden one counts nothing, as with the feature, and
//! [`Progress::is_hidden`] is true for both.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(feature = "progress")]
use std::sync::Mutex;

#[cfg(feature = "progress")]
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[cfg(feature = "progress")]
const TEMPLATE: &str = "{msg} [{elapsed_precise}] [{wide_bar}] {pos}/{len} ({eta})";

/// The bar on screen, which console log lines step around.
#[cfg(feature = "progress")]
static ACTIVE: Mutex<Option<(u64, ProgressBar)>> = Mutex::new(None);
#[cfg(feature = "progress")]
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Runs `f` with the bar on screen (if any) cleared, and draws the bar again
/// afterwards; without the `progress` feature, just runs `f`.
pub(crate) fn suspended<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(feature = "progress")]
    {
        let bar = match ACTIVE.lock() {
            Ok(active) => active.as_ref().map(|(_, bar)| bar.clone()),
            Err(poisoned) => poisoned.into_inner().as_ref().map(|(_, bar)| bar.clone()),
        };
        if let Some(bar) = bar {
            return bar.suspend(f);
        }
    }
    f()
}

/// A progress bar: `len` steps, advanced with [`Progress::inc`] and ended
/// with [`Progress::finish`]. Dropped without `finish`, it stays on screen
/// where it stopped.
#[derive(Debug)]
pub struct Progress {
    /// `None` for a hidden bar.
    bar: Option<Bar>,
}

/// A bar drawn by indicatif, registered as the bar on screen.
#[cfg(feature = "progress")]
#[derive(Debug)]
struct Bar {
    bar: ProgressBar,
    id: u64,
}

#[cfg(feature = "progress")]
impl Bar {
    fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    fn set_position(&self, pos: u64) {
        self.bar.set_position(pos);
    }

    fn position(&self) -> u64 {
        self.bar.position()
    }

    fn finish(&self) {
        self.bar.finish();
    }
}

#[cfg(feature = "progress")]
impl Drop for Bar {
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.abandon();
        }
        if let Ok(mut active) = ACTIVE.lock() {
            if active.as_ref().is_some_and(|(id, _)| *id == self.id) {
                *active = None;
            }
        }
    }
}

/// A bar that counts its steps and draws nothing.
#[cfg(not(feature = "progress"))]
#[derive(Debug)]
struct Bar {
    steps: AtomicU64,
}

#[cfg(not(feature = "progress"))]
impl Bar {
    fn inc(&self, n: u64) {
        self.steps.fetch_add(n, Ordering::Relaxed);
    }

    fn set_position(&self, pos: u64) {
        self.steps.store(pos, Ordering::Relaxed);
    }

    fn position(&self) -> u64 {
        self.steps.load(Ordering::Relaxed)
    }

    fn finish(&self) {}
}

impl Progress {
    /// A bar that counts its steps and draws nothing.
    #[cfg(not(feature = "progress"))]
    fn counting() -> Progress {
        Progress {
            bar: Some(Bar {
                steps: AtomicU64::new(0),
            }),
        }
    }

    /// A bar that draws nothing and counts nothing.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// A bar of `len` steps labelled `what`, drawn to `target` (feature
    /// `progress`).
    #[cfg(feature = "progress")]
    pub fn with_target(len: u64, what: &str, target: ProgressDrawTarget) -> Progress {
        let style = ProgressStyle::with_template(TEMPLATE)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(Some(len), target)
            .with_style(style)
            .with_message(what.to_string());
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut active) = ACTIVE.lock() {
            *active = Some((id, bar.clone()));
        }
        bar.tick();
        Progress {
            bar: Some(Bar { bar, id }),
        }
    }

    /// Whether the bar draws nothing: always, without the `progress`
    /// feature.
    pub fn is_hidden(&self) -> bool {
        !cfg!(feature = "progress") || self.bar.is_none()
    }

    /// Advances the bar by `n` steps.
    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Moves the bar to step `pos`.
    pub fn set_position(&self, pos: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
        }
    }

    /// The current step: 0 for a bar made hidden (by [`Progress::hidden`],
    /// or by [`Context::progress`](crate::Context::progress) when quiet or
    /// not at a terminal), which counts nothing.
    pub fn position(&self) -> u64 {
        self.bar.as_ref().map_or(0, Bar::position)
    }

    /// Fills the bar and leaves it on screen.
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

/// A bar of `len` steps labelled `what`, drawn on stderr; hidden when
/// stderr is not a terminal or the application is `quiet`. Without the
/// `progress` feature, a bar that counts and draws nothing where it would
/// be drawn.
pub(crate) fn on_stderr(quiet: bool, len: u64, what: &str) -> Progress {
    if quiet || !std::io::stderr().is_terminal() {
        return Progress::hidden();
    }
    #[cfg(feature = "progress")]
    return Progress::with_target(len, what, ProgressDrawTarget::stderr());
    #[cfg(not(feature = "progress"))]
    {
        // nothing shows the length or the label
        let _ = (len, what);
        Progress::counting()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;
    use std::path::Path;
    #[cfg(feature = "progress")]
    use std::{io, sync::Arc};

    #[cfg(feature = "progress")]
    use indicatif::TermLike;

    /// A terminal that records what is written to it.
    #[cfg(feature = "progress")]
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    #[cfg(feature = "progress")]
    impl Screen {
        fn text(&self) -> String {
            self.0.lock().unwrap().clone()
        }
    }

    #[cfg(feature = "progress")]
    impl TermLike for Screen {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.0.lock().unwrap().push_str(&format!("{s}\n"));
            Ok(())
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            self.0.lock().unwrap().push_str("<clear>");
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn context(quiet: bool) -> Context {
        let paths = crate::paths::Paths::resolve(Path::new("/nonexistent"), &Default::default());
        let runlog = crate::runlog::Runlog::new("demo", vec!["demo".into()]);
        let mut ctx = Context::new("demo".into(), paths, runlog, false);
        ctx.settings.quiet = quiet;
        ctx
    }

    #[cfg(feature = "progress")]
    #[test]
    fn drawn_bar_counts_steps_and_steps_aside_for_log_lines() {
        let screen = Screen::default();
        let progress = Progress::with_target(
            10,
            "copying",
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        );
        assert!(!progress.is_hidden());
        progress.inc(4);
        progress.inc(2);
        assert_eq!(progress.position(), 6);
        let before = screen.text().matches("<clear>").count();
        let ran = suspended(|| 42);
        assert_eq!(ran, 42);
        assert!(
            screen.text().matches("<clear>").count() > before,
            "the bar was not cleared for a log line"
        );
        progress.finish();
        let text = screen.text();
        assert!(text.contains("copying"), "{text:?}");
        assert!(text.contains("10/10"), "{text:?}");
        assert!(
            ACTIVE.lock().unwrap().is_none(),
            "finished bar still registered"
        );
    }

    #[test]
    fn quiet_or_not_a_terminal_gives_a_hidden_bar() {
        let progress = context(true).progress(5, "quiet");
        assert!(progress.is_hidden());
        progress.inc(3);
        assert_eq!(progress.position(), 0);
        progress.finish();
        if !std::io::stderr().is_terminal() {
            assert!(context(false).progress(5, "piped").is_hidden());
        }
    }

    #[cfg(not(feature = "progress"))]
    #[test]
    fn without_the_feature_a_bar_counts_and_draws_nothing() {
        let progress = Progress::counting();
        assert!(progress.is_hidden());
        progress.inc(4);
        progress.inc(2);
        assert_eq!(progress.position(), 6);
        progress.set_position(9);
        assert_eq!(progress.position(), 9);
        assert_eq!(suspended(|| 42), 42);
        progress.finish();
    }
}
