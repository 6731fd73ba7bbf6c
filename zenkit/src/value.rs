//! Enums as option and key values: `#[derive(zenkit::Value)]` on an enum of
//! unit variants gives it one set of names, used on the command line, in
//! configuration files, in `--help` and in messages.
//!
//! ```
//! /// How the output is compressed.
//! #[derive(zenkit::Value, Debug, PartialEq, Clone, Copy)]
//! enum Compression {
//!     None,
//!     Gzip,
//!     #[zen(name = "zstd")]
//!     Zstandard,
//! }
//!
//! assert_eq!("gzip".parse::<Compression>().unwrap(), Compression::Gzip);
//! assert_eq!(Compression::Zstandard.to_string(), "zstd");
//! assert_eq!(
//!     "lz4".parse::<Compression>().unwrap_err().to_string(),
//!     "unknown value \"lz4\"; valid values: none, gzip, zstd"
//! );
//! ```

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};

/// An enum whose values are names: implemented by `#[derive(zenkit::Value)]`,
/// which also implements `FromStr`, `Display`, `serde::Serialize` and
/// `serde::Deserialize` from it.
///
/// [`EnumValue::NAMES`] is the one list of valid names (e.g. for "one of
/// these strings" in a schema of the configuration).
pub trait EnumValue: Sized + 'static {
    /// The names of the variants, in declaration order.
    const NAMES: &'static [&'static str];

    /// The variant at `index` in [`EnumValue::NAMES`].
    fn from_index(index: usize) -> Option<Self>;

    /// The index of this variant in [`EnumValue::NAMES`].
    fn index(&self) -> usize;

    /// The name of this variant.
    fn name(&self) -> &'static str {
        Self::NAMES[self.index()]
    }
}

/// A name that is none of an enum's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    given: String,
    names: &'static [&'static str],
}

impl UnknownName {
    /// The name that was given.
    pub fn given(&self) -> &str {
        &self.given
    }

    /// The valid names.
    pub fn names(&self) -> &'static [&'static str] {
        self.names
    }
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown value {:?}; valid values: {}",
            self.given,
            self.names.join(", ")
        )
    }
}

impl std::error::Error for UnknownName {}

/// The variant of `E` named `text`.
pub fn parse_name<E: EnumValue>(text: &str) -> Result<E, UnknownName> {
    E::NAMES
        .iter()
        .position(|name| *name == text)
        .and_then(E::from_index)
        .ok_or_else(|| UnknownName {
            given: text.to_string(),
            names: E::NAMES,
        })
}

/// Deserializes a variant of `E` from its name.
pub fn deserialize_name<'de, E: EnumValue, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<E, D::Error> {
    struct Names<E>(PhantomData<E>);

    impl<E: EnumValue> Visitor<'_> for Names<E> {
        type Value = E;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "one of {}", E::NAMES.join(", "))
        }

        fn visit_str<Er: de::Error>(self, text: &str) -> Result<E, Er> {
            parse_name(text).map_err(Er::custom)
        }
    }

    deserializer.deserialize_str(Names(PhantomData))
}

/// Finds out in generated code, at compile time, whether a field's value
/// type is an [`EnumValue`] and what its names are:
/// `Probe::<T>::NAMES` is the inherent constant (`Some(T::NAMES)`) when
/// `T` is one, else [`NoNames::NAMES`] (`None`), the trait's constant the
/// compiler falls back to when the inherent one does not apply.
#[doc(hidden)]
pub struct Probe<T>(PhantomData<T>);

impl<T: EnumValue> Probe<T> {
    /// The names of the enum.
    pub const NAMES: Option<&'static [&'static str]> = Some(T::NAMES);
}

/// The names of a type that is no [`EnumValue`], probed with [`Probe`]:
/// none.
#[doc(hidden)]
pub trait NoNames {
    /// No names.
    const NAMES: Option<&'static [&'static str]> = None;
}

impl<T> NoNames for Probe<T> {}

/// Whether `text` is a name of `names`, the names of a field's type probed
/// with [`Probe`]; any text is, when the type has no names. Generated code
/// asserts it at compile time for a string default.
#[doc(hidden)]
pub const fn is_name_of(names: Option<&[&str]>, text: &str) -> bool {
    let Some(names) = names else {
        return true;
    };
    let mut i = 0;
    while i < names.len() {
        if same_text(names[i], text) {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether `a` and `b` are the same text, at compile time.
pub(crate) const fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Mode {
        Fast,
        Safe,
    }

    impl EnumValue for Mode {
        const NAMES: &'static [&'static str] = &["fast", "safe"];
        fn from_index(index: usize) -> Option<Mode> {
            [Some(Mode::Fast), Some(Mode::Safe)]
                .into_iter()
                .nth(index)
                .flatten()
        }
        fn index(&self) -> usize {
            match self {
                Mode::Fast => 0,
                Mode::Safe => 1,
            }
        }
    }

    #[test]
    fn names_parse_and_others_list_the_valid_ones() {
        assert_eq!(parse_name::<Mode>("safe"), Ok(Mode::Safe));
        assert_eq!(Mode::Fast.name(), "fast");
        let err = parse_name::<Mode>("Safe").unwrap_err();
        assert_eq!(err.given(), "Safe");
        assert_eq!(
            err.to_string(),
            "unknown value \"Safe\"; valid values: fast, safe"
        );
        let value = serde_json::json!("fast");
        assert_eq!(deserialize_name::<Mode, _>(&value).unwrap(), Mode::Fast);
        let err = deserialize_name::<Mode, _>(&serde_json::json!(3)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid type: integer `3`, expected one of fast, safe"
        );
    }

    #[test]
    fn the_probe_tells_enums_from_other_types() {
        const ENUM: Option<&[&str]> = Probe::<Mode>::NAMES;
        const OTHER: Option<&[&str]> = Probe::<String>::NAMES;
        assert_eq!(ENUM, Some(&["fast", "safe"][..]));
        assert_eq!(OTHER, None);
        assert!(is_name_of(ENUM, "safe"));
        assert!(!is_name_of(ENUM, "Safe"));
        assert!(is_name_of(OTHER, "anything"));
    }
}
