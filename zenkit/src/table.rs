//! The tables of the built-in actions (`runlog-view`, `runlogs-evaluate`).
//!
//! With the `tables` feature (a default one) a table is a box drawn by
//! comfy-table, a rule under the header and none between rows: in ASCII
//! (`+`, `-`, `|`) for pipes, files and mails, with box-drawing characters
//! for terminals.
//!
//! Without it a table is tab-separated lines, for `cut`, `awk` and
//! spreadsheets: the header line (when there is one), then a line per row,
//! the cells joined by tabs. A cell is written without its leading and
//! trailing spaces, and tabs and line breaks inside it become spaces, so
//! every line has as many fields as the table has columns. A streamed table
//! writes each row as it comes.
//!
//! Either way a table is text that ends with a newline, returned to the
//! caller to print.

#[cfg(feature = "tables")]
use comfy_table::{CellAlignment, ColumnConstraint, Table, TableComponent, Width};

/// Where the content of a column's cells goes in a drawn table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// Against the left border.
    Left,
    /// Against the right border.
    Right,
}

/// How tables are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// Boxes of `+`, `-` and `|`: for pipes, files and mails.
    #[cfg(feature = "tables")]
    Ascii,
    /// Boxes of box-drawing characters: for terminals.
    #[cfg(feature = "tables")]
    Unicode,
    /// Tab-separated lines.
    #[cfg(not(feature = "tables"))]
    Tabs,
}

impl Form {
    /// The form for pipes, files and mails: ASCII boxes, or tab-separated
    /// lines without the `tables` feature.
    pub(crate) fn plain() -> Form {
        #[cfg(feature = "tables")]
        return Form::Ascii;
        #[cfg(not(feature = "tables"))]
        return Form::Tabs;
    }

    /// The form of tables written to an output that is a `terminal` or
    /// not: box-drawing characters on a terminal, else [`Form::plain`].
    /// Without the `tables` feature, tab-separated lines wherever they go.
    pub(crate) fn for_output(terminal: bool) -> Form {
        #[cfg(feature = "tables")]
        if terminal {
            return Form::Unicode;
        }
        #[cfg(not(feature = "tables"))]
        let _ = terminal;
        Form::plain()
    }
}

#[cfg(feature = "tables")]
impl Form {
    /// The `comfy_table` preset: a box, a rule under the header, no rules
    /// between rows.
    fn preset(self) -> &'static str {
        match self {
            // ASCII_FULL_CONDENSED with a single rule under the header.
            Form::Ascii => "||--+-++|    ++++++",
            Form::Unicode => comfy_table::presets::UTF8_FULL_CONDENSED,
        }
    }
}

#[cfg(feature = "tables")]
impl From<Align> for CellAlignment {
    fn from(align: Align) -> CellAlignment {
        match align {
            Align::Left => CellAlignment::Left,
            Align::Right => CellAlignment::Right,
        }
    }
}

/// The border parts at the top of a table.
#[cfg(feature = "tables")]
const TOP_BORDER: [TableComponent; 4] = [
    TableComponent::TopLeftCorner,
    TableComponent::TopBorder,
    TableComponent::TopBorderIntersections,
    TableComponent::TopRightCorner,
];

/// The border parts at the bottom of a table.
#[cfg(feature = "tables")]
const BOTTOM_BORDER: [TableComponent; 4] = [
    TableComponent::BottomLeftCorner,
    TableComponent::BottomBorder,
    TableComponent::BottomBorderIntersections,
    TableComponent::BottomRightCorner,
];

/// A table written as its rows come, in chunks of rows ([`CHUNK_ROWS`]).
///
/// The column widths are those of the header and the first chunk, or the
/// least widths set, whichever are wider; a later cell that is wider still
/// wraps onto a second line of its row. A table of at most one chunk is the
/// table of all its rows at once.
#[cfg(feature = "tables")]
pub(crate) struct StreamedTable<'a> {
    form: Form,
    header: &'a [&'a str],
    align: &'a [Align],
    rows: Vec<Vec<String>>,
    /// How many rows are held before they are written.
    chunk_rows: usize,
    /// The least width of each column's content.
    min_widths: Vec<usize>,
    /// Column widths, padding included, once the first chunk is written.
    widths: Option<Vec<u16>>,
}

/// How many rows a [`StreamedTable`] holds before it writes them.
#[cfg(feature = "tables")]
const CHUNK_ROWS: usize = 1000;

#[cfg(feature = "tables")]
impl<'a> StreamedTable<'a> {
    /// A table of columns `header`, aligned as `align` says.
    pub(crate) fn new(form: Form, header: &'a [&'a str], align: &'a [Align]) -> StreamedTable<'a> {
        StreamedTable {
            form,
            header,
            align,
            rows: Vec::new(),
            chunk_rows: CHUNK_ROWS,
            min_widths: vec![0; header.len()],
            widths: None,
        }
    }

    /// Makes column `column` at least `width` characters wide, for content
    /// known to come after the first chunk.
    pub(crate) fn set_min_width(&mut self, column: usize, width: usize) {
        if let Some(least) = self.min_widths.get_mut(column) {
            *least = width;
        }
    }

    /// Adds a row; returns the text of the rows held before it when they
    /// are a full chunk, else nothing.
    pub(crate) fn push(&mut self, row: Vec<String>) -> String {
        let text = if self.rows.len() >= self.chunk_rows {
            self.render(false)
        } else {
            String::new()
        };
        self.rows.push(row);
        text
    }

    /// The text of the rows held and of the bottom border.
    pub(crate) fn finish(mut self) -> String {
        self.render(true)
    }

    fn render(&mut self, last: bool) -> String {
        let mut table = Table::new();
        table.load_preset(self.form.preset());
        if self.widths.is_some() {
            for part in TOP_BORDER {
                table.remove_style(part);
            }
        } else {
            table.set_header(self.header.to_vec());
        }
        if !last {
            for part in BOTTOM_BORDER {
                table.remove_style(part);
            }
        }
        table.add_rows(self.rows.drain(..));
        let widths = self.widths.get_or_insert_with(|| {
            table
                .column_max_content_widths()
                .into_iter()
                .zip(&self.min_widths)
                .map(|(width, &least)| {
                    let least = u16::try_from(least).unwrap_or(u16::MAX);
                    width.max(least).saturating_add(2)
                })
                .collect()
        });
        let constraints = widths
            .iter()
            .map(|&width| ColumnConstraint::Absolute(Width::Fixed(width)));
        table.set_constraints(constraints);
        for (column, &align) in table.column_iter_mut().zip(self.align) {
            column.set_cell_alignment(align.into());
        }
        format!("{table}\n")
    }
}

/// Renders a table, each line ending with a newline.
#[cfg(feature = "tables")]
pub(crate) fn table(
    form: Form,
    header: Option<&[&str]>,
    align: &[Align],
    rows: Vec<Vec<String>>,
) -> String {
    let mut table = Table::new();
    table.load_preset(form.preset());
    if let Some(header) = header {
        table.set_header(header.to_vec());
    }
    table.add_rows(rows);
    for (column, &align) in table.column_iter_mut().zip(align) {
        column.set_cell_alignment(align.into());
    }
    format!("{table}\n")
}

/// A table written a row at a time, as tab-separated lines; the header line
/// comes with the first row, or alone from [`StreamedTable::finish`] when
/// there is none.
#[cfg(not(feature = "tables"))]
pub(crate) struct StreamedTable<'a> {
    /// The header, until it is written.
    header: Option<&'a [&'a str]>,
}

#[cfg(not(feature = "tables"))]
impl<'a> StreamedTable<'a> {
    /// A table of columns `header`; tab-separated lines are not aligned.
    pub(crate) fn new(
        _form: Form,
        header: &'a [&'a str],
        _align: &'a [Align],
    ) -> StreamedTable<'a> {
        StreamedTable {
            header: Some(header),
        }
    }

    /// Does nothing: tab-separated lines have no column widths.
    pub(crate) fn set_min_width(&mut self, _column: usize, _width: usize) {}

    /// The line of a row, after the header line if it is the first.
    pub(crate) fn push(&mut self, row: Vec<String>) -> String {
        let mut text = self.finish_header();
        push_line(&mut text, row.iter().map(String::as_str));
        text
    }

    /// The header line if no row was pushed, else nothing.
    pub(crate) fn finish(mut self) -> String {
        self.finish_header()
    }

    fn finish_header(&mut self) -> String {
        let mut text = String::new();
        if let Some(header) = self.header.take() {
            push_line(&mut text, header.iter().copied());
        }
        text
    }
}

/// Renders a table as tab-separated lines; tab-separated lines are not
/// aligned.
#[cfg(not(feature = "tables"))]
pub(crate) fn table(
    _form: Form,
    header: Option<&[&str]>,
    _align: &[Align],
    rows: Vec<Vec<String>>,
) -> String {
    let mut text = String::new();
    if let Some(header) = header {
        push_line(&mut text, header.iter().copied());
    }
    for row in &rows {
        push_line(&mut text, row.iter().map(String::as_str));
    }
    text
}

/// Appends the tab-separated line of `cells` to `text`.
#[cfg(not(feature = "tables"))]
fn push_line<'c>(text: &mut String, cells: impl Iterator<Item = &'c str>) {
    for (index, cell) in cells.enumerate() {
        if index > 0 {
            text.push('\t');
        }
        let cell = cell.trim_matches(' ');
        text.extend(cell.chars().map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            c => c,
        }));
    }
    text.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(a: &str, b: &str) -> Vec<String> {
        vec![a.to_string(), b.to_string()]
    }

    const ALIGN: [Align; 2] = [Align::Left, Align::Right];

    /// The text of a streamed table of `rows`.
    fn streamed(form: Form, rows: &[(&str, &str)]) -> String {
        let mut table = StreamedTable::new(form, &["Key", "Value"], &ALIGN);
        let mut text = String::new();
        for (a, b) in rows {
            text.push_str(&table.push(row(a, b)));
        }
        text.push_str(&table.finish());
        text
    }

    #[test]
    fn a_short_streamed_table_is_the_table_of_all_rows_at_once() {
        for rows in [&[][..], &[("a", "1"), ("d", "444444")][..]] {
            assert_eq!(
                streamed(Form::plain(), rows),
                table(
                    Form::plain(),
                    Some(&["Key", "Value"]),
                    &ALIGN,
                    rows.iter().map(|(a, b)| row(a, b)).collect()
                )
            );
        }
    }

    #[cfg(feature = "tables")]
    #[test]
    fn a_table_is_an_ascii_box_with_a_rule_under_the_header() {
        assert_eq!(
            table(
                Form::Ascii,
                Some(&["Key", "Value"]),
                &ALIGN,
                vec![row("a", "1"), row("bb", "22")]
            ),
            "+-----+-------+\n\
             | Key | Value |\n\
             +-----+-------+\n\
             | a   |     1 |\n\
             | bb  |    22 |\n\
             +-----+-------+\n"
        );
        assert_eq!(
            table(Form::Ascii, None, &ALIGN, vec![row("a", "1")]),
            "+---+---+\n\
             | a | 1 |\n\
             +---+---+\n"
        );
    }

    #[cfg(feature = "tables")]
    #[test]
    fn a_streamed_table_keeps_the_widths_of_its_first_chunk() {
        let mut table = StreamedTable::new(Form::Ascii, &["Key", "Value"], &ALIGN);
        table.chunk_rows = 2;
        let mut text = String::new();
        for (a, b) in [
            ("a", "1"),
            ("bb", "22"),
            ("c", "3"),
            ("d", "444444"),
            ("e", "5"),
        ] {
            text.push_str(&table.push(row(a, b)));
        }
        text.push_str(&table.finish());
        assert_eq!(
            text,
            "+-----+-------+\n\
             | Key | Value |\n\
             +-----+-------+\n\
             | a   |     1 |\n\
             | bb  |    22 |\n\
             | c   |     3 |\n\
             | d   | 44444 |\n\
             |     |     4 |\n\
             | e   |     5 |\n\
             +-----+-------+\n"
        );
    }

    #[cfg(feature = "tables")]
    #[test]
    fn a_streamed_table_writes_full_chunks_as_they_come() {
        let mut table = StreamedTable::new(Form::Unicode, &["Key", "Value"], &ALIGN);
        table.chunk_rows = 2;
        table.set_min_width(1, 8);
        assert_eq!(table.push(row("a", "1")), "");
        assert_eq!(table.push(row("b", "2")), "");
        assert_eq!(
            table.push(row("c", "3")),
            "┌─────┬──────────┐\n\
             │ Key ┆    Value │\n\
             ╞═════╪══════════╡\n\
             │ a   ┆        1 │\n\
             │ b   ┆        2 │\n"
        );
        assert_eq!(
            table.finish(),
            "│ c   ┆        3 │\n\
             └─────┴──────────┘\n"
        );
    }

    #[cfg(not(feature = "tables"))]
    #[test]
    fn a_table_is_tab_separated_lines() {
        assert_eq!(
            table(
                Form::Tabs,
                Some(&["Key", "Value"]),
                &ALIGN,
                vec![row("a", "1"), row("bb", "  22.00 %")]
            ),
            "Key\tValue\na\t1\nbb\t22.00 %\n"
        );
        assert_eq!(
            table(Form::Tabs, None, &ALIGN, vec![row("a", "1"), row("", "")]),
            "a\t1\n\t\n"
        );
        assert_eq!(table(Form::Tabs, None, &ALIGN, vec![]), "");
    }

    #[cfg(not(feature = "tables"))]
    #[test]
    fn tabs_and_line_breaks_in_a_cell_become_spaces() {
        assert_eq!(
            table(
                Form::Tabs,
                Some(&["Key\there", "Value"]),
                &ALIGN,
                vec![row("two\nlines", "a\tb\r\nc")]
            ),
            "Key here\tValue\ntwo lines\ta b  c\n"
        );
    }

    #[cfg(not(feature = "tables"))]
    #[test]
    fn a_streamed_table_writes_each_row_as_it_comes() {
        let mut table = StreamedTable::new(Form::Tabs, &["Key", "Value"], &ALIGN);
        table.set_min_width(1, 8);
        assert_eq!(table.push(row("a", "1")), "Key\tValue\na\t1\n");
        assert_eq!(table.push(row("b", "2")), "b\t2\n");
        assert_eq!(table.finish(), "");

        let table = StreamedTable::new(Form::Tabs, &["Key", "Value"], &ALIGN);
        assert_eq!(table.finish(), "Key\tValue\n");
    }
}
