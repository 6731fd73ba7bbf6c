//! `#[zenkit::app]` on an impl block → `impl zenkit::Hooks`.

use proc_macro2::{Delimiter, Group, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::{ItemImpl, ReturnType};

use super::private;
use crate::ast::{Hook, HooksImpl};
use crate::attr::HookKind;
use crate::check;
use crate::ctxt::Ctxt;
use crate::fallback;

/// Expands `#[zenkit::app]` with its arguments `args` on `input`.
pub(crate) fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    if !args.is_empty() {
        cx.error_spanned_by(&args, "`#[zenkit::app]` takes no arguments");
    }
    let item: ItemImpl = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(err) => {
            if syn::parse2::<syn::Item>(input.clone()).is_ok() {
                cx.error_at(
                    Span::call_site(),
                    "`#[zenkit::app]` goes on the impl block of an application: `impl MyApp { ... }`",
                );
            } else {
                cx.syn_error(err);
            }
            let errors = cx.check().err().unwrap_or_default();
            return quote!(#errors #input);
        }
    };
    let hooks = HooksImpl::from_ast(&cx, item);
    check::hooks(&cx, &hooks);
    match cx.check() {
        Ok(()) => {
            let item = &hooks.item;
            let generated = generate(&hooks);
            quote!(#item #generated)
        }
        Err(errors) => fallback::hooks(&hooks, errors),
    }
}

/// The first and last token spans of `tokens`: an expression built from
/// tokens carrying these two spans is reported over the whole of `tokens`.
fn first_last(tokens: &dyn ToTokens, fallback: Span) -> (Span, Span) {
    let mut iter = tokens.to_token_stream().into_iter();
    let first = iter.next().map_or(fallback, |t| t.span());
    let last = iter.last().map_or(first, |t| t.span());
    (first, last)
}

/// `path(args)` with the parentheses spanned at `last`.
fn call_with(path: TokenStream, args: TokenStream, last: Span) -> TokenStream {
    let mut group = Group::new(Delimiter::Parenthesis, args);
    group.set_span(last);
    quote!(#path #group)
}

/// The call of a hook method, converted to `zenkit::Result<()>` (a
/// command's to `zenkit::Result<Value>`).
///
/// The conversion is spanned on the method's return type and the context
/// goes through an identity function spanned on the context parameter, so
/// that a wrong return or parameter type is reported on the user's type.
/// `self` and the local keep the call-site span.
fn call(hook: &Hook) -> TokenStream {
    let sig = &hook.sig;
    let (first, last) = match &sig.output {
        ReturnType::Type(_, ty) => first_last(ty, sig.ident.span()),
        ReturnType::Default => (sig.ident.span(), sig.ident.span()),
    };
    let (ctx_first, ctx_last) = match sig.inputs.iter().nth(1) {
        Some(syn::FnArg::Typed(arg)) => first_last(&arg.ty, first),
        _ => (first, last),
    };
    let ctx = call_with(
        quote_spanned!(ctx_first=> ::zenkit::__private::context),
        quote!(__zenkit_ctx),
        ctx_last,
    );
    let mut method = hook.method.clone();
    method.set_span(first);
    let inner = call_with(
        quote_spanned!(first=> Self::#method),
        quote!(self, #ctx),
        last,
    );
    if hook.marker.kind == HookKind::Command {
        let name = &hook.name;
        call_with(
            quote_spanned!(first=> ::zenkit::__private::command_result),
            quote!(#name, #inner),
            last,
        )
    } else {
        call_with(
            quote_spanned!(first=> ::zenkit::__private::hook_result),
            inner,
            last,
        )
    }
}

/// The `COMMANDS` table of the commands, in declaration order.
pub(crate) fn commands_const(hooks: &HooksImpl) -> TokenStream {
    let p = private();
    let infos: Vec<TokenStream> = hooks
        .of(HookKind::Command)
        .map(|hook| {
            let name = &hook.name;
            let help = &hook.help;
            quote!(#p::CommandInfo { name: #name, help: #help })
        })
        .collect();
    if infos.is_empty() {
        return TokenStream::new();
    }
    quote! {
        const COMMANDS: &'static [#p::CommandInfo] = &[#(#infos),*];
    }
}

/// The compile-time check that the application of an impl block with
/// commands is a script, reported over the first `#[command]` attribute.
fn script_assertion(hooks: &HooksImpl) -> TokenStream {
    let Some(first) = hooks.of(HookKind::Command).next() else {
        return TokenStream::new();
    };
    let self_ty = &hooks.item.self_ty;
    let ty = quote!(#self_ty).to_string().replace(" :: ", "::");
    let message = format!(
        "`#[command]` needs a script: add `script` to `#[zen(...)]` on `{ty}`, or make the method an `#[action]`"
    );
    let (start, end) = first.marker.bounds;
    let kind = quote!(<#self_ty as ::zenkit::__private::App>::KIND);
    let assertion = call_with(
        quote_spanned!(start=> ::core::assert!),
        quote!(::zenkit::__private::is_script(#kind), #message),
        end,
    );
    quote!(const _: () = #assertion;)
}

fn generate(hooks: &HooksImpl) -> TokenStream {
    let p = private();
    let self_ty = &hooks.item.self_ty;
    let actions: Vec<&Hook> = hooks.of(HookKind::Action).collect();
    let infos = actions.iter().map(|hook| {
        let name = &hook.name;
        let help = &hook.help;
        quote!(#p::ActionInfo { name: #name, help: #help })
    });
    let arms = actions.iter().map(|hook| {
        let name = &hook.name;
        let call = call(hook);
        quote!(#name => ::core::option::Option::Some(#call),)
    });
    let action_fns = (!actions.is_empty()).then(|| {
        quote! {
            fn actions() -> ::std::vec::Vec<#p::ActionInfo> {
                ::std::vec![#(#infos),*]
            }

            fn run_action(
                &mut self,
                __zenkit_name: &str,
                __zenkit_ctx: &mut #p::Context,
            ) -> ::core::option::Option<#p::Result<()>> {
                match __zenkit_name {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    });
    let commands: Vec<&Hook> = hooks.of(HookKind::Command).collect();
    let command_fns = (!commands.is_empty()).then(|| {
        let table = commands_const(hooks);
        let arms = commands.iter().map(|hook| {
            let name = &hook.name;
            let call = call(hook);
            quote!(#name => ::core::option::Option::Some(#call),)
        });
        quote! {
            #table

            fn execute_command(
                &mut self,
                __zenkit_name: &str,
                __zenkit_ctx: &mut #p::Context,
            ) -> ::core::option::Option<#p::Result<#p::Value>> {
                match __zenkit_name {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    });
    let assertion = script_assertion(hooks);
    let stages = [HookKind::Setup, HookKind::Process, HookKind::Teardown]
        .into_iter()
        .filter_map(|kind| {
            let hook = hooks.of(kind).next()?;
            let name = syn::Ident::new(kind.as_str(), Span::call_site());
            let call = call(hook);
            Some(quote! {
                fn #name(&mut self, __zenkit_ctx: &mut #p::Context) -> #p::Result<()> {
                    #call
                }
            })
        });
    quote! {
        const _: () = {
            #assertion

            #[automatically_derived]
            impl #p::Hooks for #self_ty {
                #command_fns
                #action_fns
                #(#stages)*
            }
        };
    }
}
