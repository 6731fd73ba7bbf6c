//! Literal defaults checked against the field's type at compile time,
//! where the macro knows the type from its syntax: integers,
//! floating-point numbers, `bool`, `char`, text (`String`, `PathBuf`,
//! `OsString`, `&str`) and durations, alone or in an `Option`. A default
//! the field cannot hold is one error on the literal saying what to write,
//! instead of an error at every run (a string the runtime cannot parse) or
//! the compiler's advice in its own terms (`5.to_string()`).

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, Type, UnOp};

use crate::ast::{is_duration, Field, Shape};
use crate::attr::type_text;
use crate::ctxt::Ctxt;
use crate::expand::private;

/// A value type whose literals the macro can check.
#[derive(Clone, Copy)]
enum Known {
    Int {
        name: &'static str,
        min: i128,
        max: u128,
    },
    Float(&'static str),
    Bool,
    Char,
    Text(&'static str),
    Duration,
}

const INTS: [(&str, i128, u128); 12] = [
    ("u8", 0, u8::MAX as u128),
    ("u16", 0, u16::MAX as u128),
    ("u32", 0, u32::MAX as u128),
    ("u64", 0, u64::MAX as u128),
    ("u128", 0, u128::MAX),
    ("usize", 0, u64::MAX as u128),
    ("i8", i8::MIN as i128, i8::MAX as u128),
    ("i16", i16::MIN as i128, i16::MAX as u128),
    ("i32", i32::MIN as i128, i32::MAX as u128),
    ("i64", i64::MIN as i128, i64::MAX as u128),
    ("i128", i128::MIN, i128::MAX as u128),
    ("isize", i64::MIN as i128, i64::MAX as u128),
];

/// The known type `ty` names: a one-segment path of a primitive or a std
/// text type (or `std::path::PathBuf` and the like), `&str`, or a duration.
fn known(ty: &Type) -> Option<Known> {
    if is_duration(ty) {
        return Some(Known::Duration);
    }
    let path = match ty {
        Type::Path(path) if path.qself.is_none() => &path.path,
        Type::Group(group) => return known(&group.elem),
        Type::Paren(paren) => return known(&paren.elem),
        Type::Reference(reference) => {
            return match &*reference.elem {
                Type::Path(p) if p.qself.is_none() && p.path.is_ident("str") => {
                    Some(Known::Text("&str"))
                }
                _ => None,
            }
        }
        _ => return None,
    };
    let last = path.segments.last()?;
    if !last.arguments.is_none() {
        return None;
    }
    let name = last.ident.to_string();
    let primitive = path.segments.len() == 1;
    if let Some(&(name, min, max)) = INTS.iter().find(|(n, _, _)| *n == name) {
        return primitive.then_some(Known::Int { name, min, max });
    }
    match name.as_str() {
        "f32" if primitive => Some(Known::Float("f32")),
        "f64" if primitive => Some(Known::Float("f64")),
        "bool" if primitive => Some(Known::Bool),
        "char" if primitive => Some(Known::Char),
        "String" => Some(Known::Text("String")),
        "PathBuf" => Some(Known::Text("PathBuf")),
        "OsString" => Some(Known::Text("OsString")),
        _ => None,
    }
}

/// A literal default, with a leading minus for numbers.
enum Literal<'a> {
    Int {
        negative: bool,
        lit: &'a syn::LitInt,
    },
    Float(&'a syn::LitFloat),
    Bool(&'a syn::LitBool),
    Char(&'a syn::LitChar),
    Str(&'a syn::LitStr),
}

fn literal(expr: &Expr) -> Option<Literal<'_>> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => match lit {
            Lit::Int(lit) => Some(Literal::Int {
                negative: false,
                lit,
            }),
            Lit::Float(lit) => Some(Literal::Float(lit)),
            Lit::Bool(lit) => Some(Literal::Bool(lit)),
            Lit::Char(lit) => Some(Literal::Char(lit)),
            Lit::Str(lit) => Some(Literal::Str(lit)),
            _ => None,
        },
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => match literal(expr)? {
            Literal::Int { negative, lit } => Some(Literal::Int {
                negative: !negative,
                lit,
            }),
            Literal::Float(lit) => Some(Literal::Float(lit)),
            _ => None,
        },
        Expr::Group(group) => literal(&group.expr),
        Expr::Paren(paren) => literal(&paren.expr),
        _ => None,
    }
}

/// Whether `expr` is a literal (a number, possibly negative, `bool`,
/// `char` or string).
pub(crate) fn is_literal(expr: &Expr) -> bool {
    literal(expr).is_some()
}

/// The literal as text, for a suggestion: `5`, `-1.5`, `true`, `x`.
fn text_of(literal: &Literal<'_>) -> String {
    match literal {
        Literal::Int { negative, lit } => {
            format!(
                "{}{}",
                if *negative { "-" } else { "" },
                lit.base10_digits()
            )
        }
        Literal::Float(lit) => lit.base10_digits().to_string(),
        Literal::Bool(lit) => lit.value.to_string(),
        Literal::Char(lit) => lit.value().to_string(),
        Literal::Str(lit) => lit.value(),
    }
}

/// Whether the integer of `magnitude`, negative or not, is in `min..=max`.
fn int_fits(negative: bool, magnitude: u128, min: i128, max: u128) -> bool {
    if negative {
        magnitude <= min.unsigned_abs()
    } else {
        magnitude <= max
    }
}

/// An integer written as text: an optional sign and decimal digits.
fn parse_int(text: &str) -> Option<(bool, u128)> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    digits.parse::<u128>().ok().map(|n| (negative, n))
}

/// Checks the literal default of `field`, if it has one and its type is
/// known.
pub(crate) fn check(cx: &Ctxt, field: &Field) {
    let Some(default) = &field.attrs.default else {
        return;
    };
    let Some(literal) = literal(&default.expr) else {
        return;
    };
    let name = field.ident.to_string();
    let ty = match field.shape() {
        Shape::One | Shape::Flag => field.ty,
        Shape::Optional(inner) => inner,
        Shape::Many(_) | Shape::OptionalMany(_) => {
            // a string on a list field has its own message in the checks
            if !matches!(literal, Literal::Str(_)) {
                cx.error_spanned_by(
                    &default.expr,
                    format!("field `{name}` is a list: write its default as an expression, e.g. `default = vec![{}]`", text_of(&literal)),
                );
            }
            return;
        }
    };
    let Some(known) = known(ty) else {
        return;
    };
    if let Some(message) = mismatch(&name, known, &literal) {
        cx.error_spanned_by(&default.expr, message);
    }
}

/// What is wrong with `literal` as a default of field `name` of type
/// `known`, if anything.
fn mismatch(name: &str, known: Known, literal: &Literal<'_>) -> Option<String> {
    let text = text_of(literal);
    match (known, literal) {
        (Known::Int { name: ty, min, max }, Literal::Int { negative, lit }) => {
            let magnitude = lit.base10_parse::<u128>().ok()?;
            (!int_fits(*negative, magnitude, min, max)).then(|| {
                format!("{text} does not fit field `{name}`: a `{ty}` holds {min} to {max}")
            })
        }
        (Known::Int { name: ty, min, max }, Literal::Str(_)) => match parse_int(&text) {
            Some((negative, magnitude)) if int_fits(negative, magnitude, min, max) => None,
            Some(_) => Some(format!(
                "{text:?} does not fit field `{name}`: a `{ty}` holds {min} to {max}"
            )),
            None => Some(format!(
                "{text:?} is no number, and field `{name}` is a `{ty}`: write the number itself, e.g. `default = 10`"
            )),
        },
        (Known::Int { name: ty, .. }, Literal::Float(_)) => Some(format!(
            "field `{name}` is a `{ty}`, a whole number: write its default without a fraction, e.g. `default = 10`"
        )),
        (Known::Int { name: ty, .. }, _) => Some(format!(
            "field `{name}` is a `{ty}`: write a number, e.g. `default = 10`"
        )),
        (Known::Float(_), Literal::Int { .. } | Literal::Float(_)) => None,
        (Known::Float(ty), Literal::Str(_)) => text.trim().parse::<f64>().is_err().then(|| {
            format!("{text:?} is no number, and field `{name}` is an `{ty}`: write the number itself, e.g. `default = 0.5`")
        }),
        (Known::Float(ty), _) => Some(format!(
            "field `{name}` is an `{ty}`: write a number, e.g. `default = 0.5`"
        )),
        (Known::Bool, Literal::Bool(_)) => None,
        (Known::Bool, Literal::Str(_)) if matches!(text.as_str(), "true" | "false") => None,
        (Known::Bool, _) => Some(format!(
            "field `{name}` is a `bool`: write `default = true` or `default = false`"
        )),
        (Known::Char, Literal::Char(_)) => None,
        (Known::Char, Literal::Str(_)) if text.chars().count() == 1 => None,
        (Known::Char, _) => Some(format!(
            "field `{name}` is a `char`: write one character, e.g. `default = 'x'`"
        )),
        (Known::Text(_), Literal::Str(_)) => None,
        (Known::Text(ty), _) => Some(format!(
            "field `{name}` is text (a `{ty}`): write its default as a string, `default = {text:?}`"
        )),
        (Known::Duration, Literal::Str(_)) => {
            zenkit_builtins::duration_from_text(&text).is_none().then(|| {
                let forms = zenkit_builtins::DURATION_FORMS;
                format!("{text:?} is no duration, and field `{name}` is one: write {forms}")
            })
        }
        (Known::Duration, Literal::Int { .. } | Literal::Float(_)) => Some(format!(
            "field `{name}` is a duration: write it as text, `default = \"{text}s\"` for {text} seconds"
        )),
        (Known::Duration, _) => Some(format!(
            "field `{name}` is a duration: write it as text, e.g. `default = \"90s\"`"
        )),
    }
}

/// The compile-time check that the string default of a field whose type
/// the macro does not know is one of the type's names, when the type is an
/// enum of `#[derive(zenkit::Value)]`; for any other type the text passes,
/// to be parsed with `FromStr` at start-up.
pub(crate) fn name_check(field: &Field) -> TokenStream {
    let Some(Expr::Lit(ExprLit {
        lit: Lit::Str(text),
        ..
    })) = field.attrs.default.as_ref().map(|d| &d.expr)
    else {
        return TokenStream::new();
    };
    let ty = match field.shape() {
        Shape::One => field.ty,
        Shape::Optional(inner) => inner,
        _ => return TokenStream::new(),
    };
    if known(ty).is_some() {
        return TokenStream::new();
    }
    let message = format!(
        "default {:?} of field `{}` is none of the values of `{}`: they are its variants' names in kebab-case, or the `#[zen(name = \"...\")]` of a variant",
        text.value(),
        field.ident,
        type_text(ty),
    )
    .replace('{', "{{")
    .replace('}', "}}");
    let p = private();
    quote_spanned! {text.span()=>
        const _: () = {
            use #p::NoNames as _;
            ::core::assert!(#p::is_name_of(#p::Probe::<#ty>::NAMES, #text), #message);
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(ty: &str, default: &str) -> Option<String> {
        let ty: Type = syn::parse_str(ty).unwrap();
        let expr: Expr = syn::parse_str(default).unwrap();
        mismatch("f", known(&ty).unwrap(), &literal(&expr).unwrap())
    }

    #[test]
    fn defaults_that_fit_pass() {
        for (ty, default) in [
            ("u8", "255"),
            ("i8", "-128"),
            ("u32", "\"10\""),
            ("i64", "\"-3\""),
            ("u128", "340282366920938463463374607431768211455"),
            ("f64", "1"),
            ("f32", "-0.5"),
            ("f64", "\"2.5\""),
            ("bool", "true"),
            ("bool", "\"false\""),
            ("char", "'x'"),
            ("char", "\"y\""),
            ("String", "\"5\""),
            ("std::path::PathBuf", "\"/srv\""),
            ("&str", "\"a\""),
            ("Duration", "\"1h 30m\""),
            ("std::time::Duration", "\"90\""),
        ] {
            assert_eq!(message(ty, default), None, "{ty} = {default}");
        }
    }

    #[test]
    fn defaults_that_do_not_fit_say_what_to_write() {
        for (ty, default, says) in [
            (
                "u8",
                "256",
                "256 does not fit field `f`: a `u8` holds 0 to 255",
            ),
            ("u32", "-1", "-1 does not fit field `f`: a `u32` holds 0"),
            (
                "u32",
                "\"ten\"",
                "\"ten\" is no number, and field `f` is a `u32`",
            ),
            ("i8", "\"-129\"", "\"-129\" does not fit field `f`"),
            ("u32", "1.5", "a whole number"),
            ("u32", "true", "write a number"),
            ("f64", "\"half\"", "\"half\" is no number"),
            (
                "bool",
                "\"yes\"",
                "write `default = true` or `default = false`",
            ),
            ("bool", "1", "write `default = true` or `default = false`"),
            ("char", "\"xy\"", "write one character"),
            (
                "String",
                "5",
                "write its default as a string, `default = \"5\"`",
            ),
            ("PathBuf", "true", "`default = \"true\"`"),
            ("Duration", "\"soon\"", "\"soon\" is no duration"),
            ("Duration", "90", "`default = \"90s\"` for 90 seconds"),
        ] {
            let message = message(ty, default).unwrap_or_default();
            assert!(message.contains(says), "{ty} = {default}: {message}");
        }
    }

    #[test]
    fn only_types_read_from_syntax_are_known() {
        for ty in ["Vec<u8>", "MyNumber", "u32::Alias", "Option<u32>", "&[u8]"] {
            let ty: Type = syn::parse_str(ty).unwrap();
            assert!(known(&ty).is_none());
        }
    }
}
