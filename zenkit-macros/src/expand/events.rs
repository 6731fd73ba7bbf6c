//! `#[on_event("name")]` → an associated constant of the event's name on
//! the handler's type (`tick` → `Clock::TICK`, a `zenkit::daemon::TypedEvent`),
//! so that scheduling a misspelt event is a build error. `#[zenkit::component]`
//! and `#[zenkit::app]` both emit them, also when the block has mistakes,
//! so that one mistake does not make every use of a constant another.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::private;
use crate::ast::HooksImpl;
use crate::attr::{type_text, HookKind};
use crate::ctxt::Ctxt;

/// The constant of one event of a block.
struct Constant<'a> {
    /// Its name, in upper snake case.
    ident: String,
    event: &'a str,
    /// The event's name in the first marker that handles it.
    span: Span,
    /// The methods that handle the event.
    handlers: Vec<&'a Ident>,
}

/// The name of the constant of event `event`: the words of the name in
/// upper case, joined by `_`. ASCII letters and digits make the words;
/// every other character separates them, and so does an upper-case letter
/// after a lower-case letter or a digit, or before a lower-case letter
/// after upper-case ones (`messageNext`, `HTTPServer`). `None` for a name
/// with a character outside ASCII, or whose constant would be empty or
/// start with a digit: such an event is scheduled by its name.
pub(crate) fn constant_name(event: &str) -> Option<String> {
    if !event.is_ascii() {
        return None;
    }
    let chars: Vec<char> = event.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for (index, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !word.is_empty() {
            let before = chars[index - 1];
            let lower_after = chars
                .get(index + 1)
                .is_some_and(|after| after.is_ascii_lowercase());
            if !before.is_ascii_uppercase() || lower_after {
                words.push(std::mem::take(&mut word));
            }
        }
        word.push(c.to_ascii_uppercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    let name = words.join("_");
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        .then_some(name)
}

/// The constants of the block's `#[on_event]` events, each once, in the
/// order of their first handler. With `cx`, an event whose constant another
/// event of the block has already is reported at its name.
fn constants<'a>(hooks: &'a HooksImpl, cx: Option<&Ctxt>) -> Vec<Constant<'a>> {
    let mut constants: Vec<Constant<'a>> = Vec::new();
    for hook in hooks.of(HookKind::OnEvent) {
        let Some(args) = &hook.marker.handler else {
            continue;
        };
        let Some(ident) = constant_name(&args.event) else {
            continue;
        };
        match constants.iter_mut().find(|c| c.ident == ident) {
            Some(constant) if constant.event == args.event => constant.handlers.push(&hook.method),
            Some(constant) => {
                if let Some(cx) = cx {
                    let ty = type_text(&hooks.item.self_ty);
                    cx.error_at(
                        args.event_span,
                        format!(
                            "the events \"{}\" and \"{}\" would both be scheduled as `{ty}::{ident}`: rename one of them (names that differ only in case or separators make the same constant)",
                            constant.event, args.event
                        ),
                    );
                }
            }
            None => constants.push(Constant {
                ident,
                event: &args.event,
                span: args.event_span,
                handlers: vec![&hook.method],
            }),
        }
    }
    constants
}

/// Reports two events of the block that would make one constant.
pub(crate) fn check(cx: &Ctxt, hooks: &HooksImpl) {
    constants(hooks, Some(cx));
}

/// An inherent impl of the block's type with the constants of its events;
/// nothing for a trait impl or a block without `#[on_event]` methods.
pub(crate) fn generate(hooks: &HooksImpl) -> TokenStream {
    let item = &hooks.item;
    let constants = constants(hooks, None);
    if item.trait_.is_some() || constants.is_empty() {
        return TokenStream::new();
    }
    let p = private();
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let self_ty = &item.self_ty;
    let ty = type_text(self_ty);
    let items = constants.iter().map(|constant| {
        let ident = Ident::new(&constant.ident, constant.span);
        let event = constant.event;
        let handlers: Vec<String> = constant
            .handlers
            .iter()
            .map(|method| format!("`{ty}::{method}`"))
            .collect();
        let doc = format!(
            "The event `{event}`, handled by {}: `daemon.schedule({ty}::{ident}, args)` queues it.",
            handlers.join(" and ")
        );
        quote! {
            #[doc = #doc]
            pub const #ident: #p::TypedEvent = #p::TypedEvent::new(#event);
        }
    });
    crate::features::daemon_items(quote! {
        // the constants are there to be used, not all of them must be
        #[allow(dead_code)]
        impl #impl_generics #self_ty #where_clause {
            #(#items)*
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_the_names_in_upper_snake_case() {
        for (event, constant) in [
            ("tick", Some("TICK")),
            ("message_next", Some("MESSAGE_NEXT")),
            ("message-next", Some("MESSAGE_NEXT")),
            ("message.next", Some("MESSAGE_NEXT")),
            ("messageNext", Some("MESSAGE_NEXT")),
            ("HTTPServer", Some("HTTP_SERVER")),
            ("http2Server", Some("HTTP2_SERVER")),
            ("alerts_message_process", Some("ALERTS_MESSAGE_PROCESS")),
            ("v2", Some("V2")),
            ("_private", Some("PRIVATE")),
            ("a..b", Some("A_B")),
            ("STOP", Some("STOP")),
            ("2fast", None),
            ("--", None),
            ("événement", None),
        ] {
            assert_eq!(constant_name(event).as_deref(), constant, "{event}");
        }
    }

    fn generated(block: TokenStream) -> (String, String) {
        let cx = Ctxt::new();
        let hooks = HooksImpl::from_ast(&cx, syn::parse2(block).unwrap());
        check(&cx, &hooks);
        let errors = cx.check().err().unwrap_or_default().to_string();
        (generate(&hooks).to_string(), errors)
    }

    #[test]
    fn each_event_gets_one_constant_and_a_clash_is_reported() {
        let (out, errors) = generated(quote! {
            impl Clock {
                #[on_event("tick")]
                fn tick(&mut self) {}
                #[on_event("tick", first)]
                fn count(&mut self) {}
                #[on_event("Tick")]
                fn other(&mut self) {}
                #[on_event("2fast")]
                fn fast(&mut self) {}
            }
        });
        assert_eq!(out.matches("pub const").count(), 1, "{out}");
        assert!(out.contains("pub const TICK"), "{out}");
        assert!(
            out.contains("handled by `Clock::tick` and `Clock::count`"),
            "{out}"
        );
        assert!(
            errors.contains(
                r#"the events \"tick\" and \"Tick\" would both be scheduled as `Clock::TICK`"#
            ),
            "{errors}"
        );
        let (out, errors) = generated(quote! {
            impl Plugin for Clock {
                #[on_event("tick")]
                fn tick(&mut self) {}
            }
        });
        assert!(out.is_empty(), "{out}");
        assert!(errors.is_empty(), "{errors}");
    }
}
