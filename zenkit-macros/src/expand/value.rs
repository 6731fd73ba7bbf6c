//! `#[derive(Value)]` → `zenkit::value::EnumValue`, `FromStr`, `Display`,
//! `Serialize` and `Deserialize`, all from one list of names.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Data, DeriveInput, Fields, Ident};

use super::private;
use crate::attr;
use crate::ctxt::Ctxt;

/// One variant and its name.
struct Named<'a> {
    ident: &'a Ident,
    name: String,
}

/// Expands `#[derive(Value)]`.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let variants = read(&cx, input);
    // a stub has the impls without names, so that one mistake in the enum
    // is not reported again at each use of it as a value
    let stub = matches!(input.data, Data::Enum(_)) && input.generics.params.is_empty();
    match (cx.check(), variants) {
        (Ok(()), Some(variants)) => generate(&input.ident, Some(&variants)),
        (Err(errors), _) if stub => {
            let impls = generate(&input.ident, None);
            quote!(#errors #impls)
        }
        (Err(errors), _) => errors,
        (Ok(()), None) => TokenStream::new(),
    }
}

fn read<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Option<Vec<Named<'a>>> {
    attr::no_container_keys(cx, &input.attrs);
    let data = match &input.data {
        Data::Enum(data) => data,
        Data::Struct(data) => {
            cx.error_spanned_by(
                data.struct_token,
                "`Value` is derived for an enum of unit variants, e.g. `enum Mode { Fast, Safe }`; a struct value is a `#[zen(config)]` key with serde",
            );
            return None;
        }
        Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                "`Value` is derived for an enum of unit variants, not a union",
            );
            return None;
        }
    };
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &input.generics,
            "`Value` cannot be derived for a generic enum; its names are one fixed list",
        );
    }
    if data.variants.is_empty() {
        cx.error_spanned_by(
            &input.ident,
            "an enum without variants has no values; add variants, e.g. `enum Mode { Fast, Safe }`",
        );
        return None;
    }
    let mut named: Vec<Named> = Vec::new();
    for variant in &data.variants {
        let given = attr::variant_name(cx, &variant.attrs);
        match &variant.fields {
            Fields::Unit => {}
            fields => cx.error_spanned_by(
                fields,
                format!(
                    "variant `{}` holds data; a value is one of the names of an enum of unit variants: remove its fields",
                    variant.ident
                ),
            ),
        }
        let (name, span) = match &given {
            Some(lit) => (lit.value(), lit.span()),
            None => (kebab(&variant.ident.to_string()), variant.ident.span()),
        };
        if let Some(other) = named.iter().find(|n| n.name == name) {
            cx.error_at(
                span,
                format!(
                    "the name \"{name}\" is already variant `{}`'s; give this variant another with `#[zen(name = \"...\")]`",
                    other.ident
                ),
            );
            continue;
        }
        named.push(Named {
            ident: &variant.ident,
            name,
        });
    }
    Some(named)
}

/// `CamelCase` → `camel-case`: a `-` before an upper-case letter that
/// follows a lower-case letter or digit, or that starts a word after an
/// acronym (`HTTPServer` → `http-server`).
pub(crate) fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            out.push('-');
            continue;
        }
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push('-');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The impls from `variants`; without them, stubs with no names.
fn generate(ident: &Ident, variants: Option<&[Named]>) -> TokenStream {
    let p = private();
    let names = variants.unwrap_or_default().iter().map(|v| &v.name);
    let idents: Vec<&Ident> = variants
        .unwrap_or_default()
        .iter()
        .map(|v| v.ident)
        .collect();
    let indices: Vec<usize> = (0..idents.len()).collect();
    let index = match variants {
        Some(_) => quote!(match self { #(#ident::#idents => #indices,)* }),
        None => quote!(0),
    };
    let de = syn::Lifetime::new("'__zenkit_de", Span::call_site());
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #p::EnumValue for #ident {
                const NAMES: &'static [&'static str] = &[#(#names),*];

                fn from_index(__zenkit_index: usize) -> ::core::option::Option<Self> {
                    match __zenkit_index {
                        #(#indices => ::core::option::Option::Some(#ident::#idents),)*
                        _ => ::core::option::Option::None,
                    }
                }

                fn index(&self) -> usize {
                    #index
                }
            }

            #[automatically_derived]
            impl #p::ValueSchema for #ident {
                fn value_schema(_: &mut #p::SchemaGenerator) -> #p::Schema {
                    #p::enum_schema::<Self>()
                }
            }

            #[automatically_derived]
            impl ::core::str::FromStr for #ident {
                type Err = #p::UnknownName;

                fn from_str(__zenkit_text: &str) -> ::core::result::Result<Self, Self::Err> {
                    #p::parse_name(__zenkit_text)
                }
            }

            #[automatically_derived]
            impl ::core::fmt::Display for #ident {
                fn fmt(&self, __zenkit_f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    __zenkit_f.pad(#p::EnumValue::name(self))
                }
            }

            #[automatically_derived]
            impl #p::serde::Serialize for #ident {
                fn serialize<__ZenkitS: #p::serde::Serializer>(
                    &self,
                    __zenkit_serializer: __ZenkitS,
                ) -> ::core::result::Result<__ZenkitS::Ok, __ZenkitS::Error> {
                    __zenkit_serializer.serialize_str(#p::EnumValue::name(self))
                }
            }

            #[automatically_derived]
            impl<#de> #p::serde::Deserialize<#de> for #ident {
                fn deserialize<__ZenkitD: #p::serde::Deserializer<#de>>(
                    __zenkit_deserializer: __ZenkitD,
                ) -> ::core::result::Result<Self, __ZenkitD::Error> {
                    #p::deserialize_name(__zenkit_deserializer)
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_are_kebab_case() {
        for (variant, name) in [
            ("Fast", "fast"),
            ("FastMode", "fast-mode"),
            ("HTTPServer", "http-server"),
            ("Http2", "http2"),
            ("IPv6", "i-pv6"),
            ("Gzip9Best", "gzip9-best"),
            ("snake_case", "snake-case"),
        ] {
            assert_eq!(kebab(variant), name, "{variant}");
        }
    }

    fn errors(input: DeriveInput) -> String {
        let cx = Ctxt::new();
        read(&cx, &input);
        cx.check().err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn misuse_is_reported_once_each() {
        let errs = errors(syn::parse_quote! {
            enum Mode {
                Fast(u8),
                #[zen(name = "fast")]
                Quick,
                #[zen(nme = "x")]
                Slow,
            }
        });
        assert_eq!(errs.matches("compile_error").count(), 3, "{errs}");
        assert!(errs.contains("variant `Fast` holds data"), "{errs}");
        assert!(errs.contains("already variant `Fast`'s"), "{errs}");
        assert!(errs.contains("unknown key `nme`"), "{errs}");
        assert_eq!(
            errors(syn::parse_quote!(
                enum Mode {
                    A,
                    B,
                }
            )),
            ""
        );
    }
}
