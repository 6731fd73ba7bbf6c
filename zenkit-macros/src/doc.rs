//! Doc comments as help text, following clap's convention: the first
//! paragraph is the short help, the whole text the long help.

use syn::{Attribute, Expr, ExprLit, Lit, Meta};

/// The help texts read from an item's doc comment.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Doc {
    /// The first paragraph on one line, without a final period.
    pub(crate) short: String,
    /// Every paragraph, each on one line, separated by a blank line.
    pub(crate) long: String,
    /// Whether the text has more than one paragraph (the long help then
    /// says more than the short one).
    pub(crate) multi: bool,
}

/// Reads the doc comment of an item from its attributes.
///
/// `#[doc = ...]` attributes whose value is not a string literal (for
/// example `include_str!`) cannot be read by a macro and are skipped.
pub(crate) fn doc(attrs: &[Attribute]) -> Doc {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let Meta::NameValue(nv) = &attr.meta {
            if let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &nv.value
            {
                lines.extend(s.value().split('\n').map(str::to_string));
            }
        }
    }
    from_lines(&lines)
}

fn from_lines(lines: &[String]) -> Doc {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    let mut short = paragraphs.first().cloned().unwrap_or_default();
    if short.ends_with('.') && !short.ends_with("..") {
        short.pop();
    }
    Doc {
        short,
        long: paragraphs.join("\n\n"),
        multi: paragraphs.len() > 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn first_paragraph_is_short_help_without_period() {
        let d = from_lines(&lines(
            " Whom to greet.\n\n More about it,\n over two lines.\n",
        ));
        assert_eq!(d.short, "Whom to greet");
        assert_eq!(d.long, "Whom to greet.\n\nMore about it, over two lines.");
        assert!(d.multi);
    }

    #[test]
    fn one_paragraph_over_lines_is_joined() {
        let d = from_lines(&lines(" Counts lines\n that match..."));
        assert_eq!(d.short, "Counts lines that match...");
        assert_eq!(d.long, "Counts lines that match...");
        assert!(!d.multi);
    }

    #[test]
    fn no_doc_is_empty() {
        assert_eq!(from_lines(&[]), Doc::default());
        assert_eq!(from_lines(&lines("\n  \n")), Doc::default());
    }

    #[test]
    fn reads_doc_attributes_and_skips_others() {
        let item: syn::ItemStruct = syn::parse_quote! {
            /// First line.
            #[derive(Debug)]
            /// Second line.
            ///
            /// Second paragraph.
            #[doc = include_str!("x.md")]
            struct S;
        };
        let d = doc(&item.attrs);
        assert_eq!(d.short, "First line. Second line");
        assert_eq!(d.long, "First line. Second line.\n\nSecond paragraph.");
    }
}
