//! `#[zenkit::app]` on an impl block → `impl zenkit::Hooks`; also the hook
//! calls and handler tables `#[component]` generates the same way.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::{ItemImpl, LitStr, ReturnType};

use super::{kinds, private};
use crate::ast::{shape, Hook, HooksImpl, Shape};
use crate::attr::HookKind;
use crate::check::{self, Place};
use crate::ctxt::Ctxt;
use crate::fallback;
use crate::params;

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
    check::hooks(&cx, &hooks, Place::App);
    super::events::check(&cx, &hooks);
    match cx.check() {
        Ok(()) => {
            let item = &hooks.item;
            let generated = generate(&hooks);
            let constants = super::events::generate(&hooks);
            quote!(#item #generated #constants)
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

/// The call `Self::method(receiver, params...)` of a hook method, its
/// result passed to `convert`, a trait method of `zenkit::types` (before
/// `extra`, when given), e.g.
/// `HookReturn::into_result(Self::process(self, context(__zenkit_ctx)))`.
///
/// The converter is spanned on the method's return type and each parameter
/// goes through the identity function `helper` spanned on the user's
/// parameter type, so that a wrong return or parameter type is reported on
/// the user's type. The receiver and the locals keep the call-site span.
pub(crate) fn call(
    hook: &Hook,
    receiver: TokenStream,
    params: &[(&str, TokenStream)],
    convert: Convert,
    extra: Option<TokenStream>,
) -> TokenStream {
    let sig = &hook.sig;
    let (first, last) = match &sig.output {
        ReturnType::Type(_, ty) => first_last(ty, sig.ident.span()),
        ReturnType::Default => (sig.ident.span(), sig.ident.span()),
    };
    let mut args = vec![receiver];
    for (index, (helper, local)) in params.iter().enumerate() {
        let (param_first, param_last) = match sig.inputs.iter().nth(index + 1) {
            Some(syn::FnArg::Typed(arg)) => first_last(&arg.ty, first),
            _ => (first, last),
        };
        let helper = Ident::new(helper, param_first);
        args.push(call_with(
            quote_spanned!(param_first=> ::zenkit::__private::#helper),
            local.clone(),
            param_last,
        ));
    }
    let mut method = hook.method.clone();
    method.set_span(first);
    let inner = call_with(
        quote_spanned!(first=> Self::#method),
        quote!(#(#args),*),
        last,
    );
    let (trait_, method) = (Ident::new(convert.0, first), Ident::new(convert.1, first));
    let extra = extra.map(|extra| quote!(, #extra));
    call_with(
        quote_spanned!(first=> ::zenkit::types::#trait_::#method),
        quote!(#inner #extra),
        last,
    )
}

/// A trait of `zenkit::types` and its method that turns what a hook
/// method returned into what the runtime takes.
pub(crate) type Convert = (&'static str, &'static str);

/// A hook's or action's result, into `zenkit::Result<()>`.
pub(crate) const HOOK_RETURN: Convert = ("HookReturn", "into_result");
/// A command's result, into its JSON value.
const COMMAND_RETURN: Convert = ("CommandReturn", "into_value");
/// An event or signal handler's result, into its `Flow`.
const HANDLER_RETURN: Convert = ("HandlerReturn", "into_flow");
/// A component's `#[state]`, into JSON.
pub(crate) const COMPONENT_STATE: Convert = ("ComponentState", "state_json");

/// The call of an application's hook method with the context, converted
/// to `zenkit::Result<()>` (a command's to `zenkit::Result<Value>`).
fn app_call(hook: &Hook) -> TokenStream {
    let params = [("context", quote!(__zenkit_ctx))];
    call(hook, quote!(self), &params, HOOK_RETURN, None)
}

/// The local holding the value of a command's parameter at `index`.
fn param_local(index: usize) -> Ident {
    Ident::new(&format!("__zenkit_param{index}"), Span::call_site())
}

/// The call of a command's method with the context and its parameters,
/// read from the command's arguments first; a value that cannot be read
/// is the command's result.
fn command_call(hook: &Hook) -> TokenStream {
    let name = &hook.name;
    let reads = hook.params.iter().map(|param| {
        let local = param_local(param.index);
        let key = param.key();
        let read = match shape(&param.ty) {
            Shape::Flag => {
                return quote!(let #local = __zenkit_args.flag(#key););
            }
            Shape::One => "one_with",
            Shape::Optional(_) => "optional_with",
            Shape::Many(_) => "many_with",
            // refused by the parameters' check
            Shape::OptionalMany(_) => return TokenStream::new(),
        };
        let read = Ident::new(read, Span::call_site());
        let parser = parser_ident(hook, param);
        quote! {
            let #local = match __zenkit_args.#read(#key, #parser) {
                ::core::result::Result::Ok(__zenkit_value) => __zenkit_value,
                ::core::result::Result::Err(__zenkit_err) => {
                    return ::core::option::Option::Some(::core::result::Result::Err(__zenkit_err));
                }
            };
        }
    });
    let locals: Vec<TokenStream> = hook
        .params
        .iter()
        .map(|param| param_local(param.index).into_token_stream())
        .collect();
    let mut params = vec![("context", quote!(__zenkit_ctx))];
    params.extend(locals.into_iter().map(|local| ("command_param", local)));
    let call = call(
        hook,
        quote!(self),
        &params,
        COMMAND_RETURN,
        Some(quote!(#name)),
    );
    quote! {{
        #(#reads)*
        ::core::option::Option::Some(#call)
    }}
}

/// The name of the function that parses values of a command's parameter.
fn parser_ident(hook: &Hook, param: &params::Param) -> Ident {
    let method = hook.method.unraw();
    Ident::new(
        &format!("__zenkit_parse_{method}_{}", param.index),
        Span::call_site(),
    )
}

/// One function per valued parameter of the commands, parsing one value
/// from text: the one place that needs the type's `FromStr`, so a type
/// without it is reported once, on the author's type. The command line's
/// check of a value and the command's call both use it.
fn param_parsers(hooks: &HooksImpl) -> TokenStream {
    let parsers = hooks.of(HookKind::Command).flat_map(|hook| {
        hook.params.iter().filter_map(move |param| {
            let ty = match shape(&param.ty) {
                Shape::Flag | Shape::OptionalMany(_) => return None,
                Shape::One => &*param.ty,
                Shape::Optional(inner) | Shape::Many(inner) => inner,
            };
            let name = parser_ident(hook, param);
            let (first, _) = first_last(ty, param.marker.span());
            let parse = quote_spanned!(first=> <#ty as ::zenkit::types::ParamValue>::parse_param);
            Some(quote! {
                fn #name(
                    __zenkit_raw: &str,
                ) -> ::core::result::Result<#ty, ::std::string::String> {
                    #parse(__zenkit_raw)
                }
            })
        })
    });
    quote!(#(#parsers)*)
}

/// The `CommandParam` rows of a command's parameters.
fn param_infos(hook: &Hook) -> Vec<TokenStream> {
    let p = private();
    hook.params
        .iter()
        .map(|param| {
            let key = param.key();
            let long = param.long();
            let help = param.help.as_ref().map(LitStr::value).unwrap_or_default();
            let place = match param.place {
                params::Place::Arg => quote!(#p::ParamPlace::Positional),
                params::Place::Opt => quote!(#p::ParamPlace::Option),
            };
            let shape_tokens = match shape(&param.ty) {
                Shape::Flag => quote!(Flag),
                Shape::One => quote!(One),
                Shape::Optional(_) => quote!(Optional),
                Shape::Many(_) | Shape::OptionalMany(_) => quote!(Many),
            };
            let short = match &param.short {
                Some(c) => quote!(::core::option::Option::Some(#c)),
                None => quote!(::core::option::Option::None),
            };
            let check = if matches!(shape(&param.ty), Shape::Flag) {
                quote!(|_| ::core::result::Result::Ok(()))
            } else {
                let parser = parser_ident(hook, param);
                quote!(|__zenkit_raw| #parser(__zenkit_raw).map(|_| ()))
            };
            quote! {
                #p::CommandParam {
                    name: #key,
                    place: #place,
                    shape: #p::ParamShape::#shape_tokens,
                    long: #long,
                    short: #short,
                    help: #help,
                    check: #check,
                }
            }
        })
        .collect()
}

/// The `Handler` of an `#[on_event]` or `#[on_signal]` method: a
/// non-capturing closure adapting the method to the handler's fn pointer.
pub(crate) fn handler(hook: &Hook) -> TokenStream {
    let p = private();
    let Some(args) = &hook.marker.handler else {
        return TokenStream::new();
    };
    let event = &args.event;
    let first = args.first;
    let name = &hook.name;
    let daemon = ("daemon", quote!(__zenkit_daemon));
    let (closure_args, call) = if hook.marker.kind == HookKind::OnEvent && takes_raw_args(hook) {
        let params = [daemon, ("args", quote!(__zenkit_args))];
        (
            quote!(__zenkit_self, __zenkit_daemon, __zenkit_args),
            call(hook, quote!(__zenkit_self), &params, HANDLER_RETURN, None),
        )
    } else if hook.marker.kind == HookKind::OnEvent {
        let params = [daemon, ("typed_args", quote!(__zenkit_typed))];
        let inner = call(hook, quote!(__zenkit_self), &params, HANDLER_RETURN, None);
        // a type that cannot be the arguments is reported at the parameter
        let (first, last) = match hook.sig.inputs.iter().nth(2) {
            Some(syn::FnArg::Typed(arg)) => first_last(&arg.ty, hook.sig.ident.span()),
            _ => (hook.sig.ident.span(), hook.sig.ident.span()),
        };
        let run_handler = Ident::new("run_handler", first);
        let arg_ty = match hook.sig.inputs.iter().nth(2) {
            Some(syn::FnArg::Typed(arg)) => arg.ty.to_token_stream(),
            _ => quote_spanned!(first=> ()),
        };
        let run = call_with(
            quote_spanned!(first=> <#arg_ty as ::zenkit::types::HandlerArgs>::#run_handler),
            quote! {
                __zenkit_daemon,
                __zenkit_args,
                #name,
                |__zenkit_daemon, __zenkit_typed| {
                    // a handler may take `()`: nothing to pass is fine
                    #[allow(clippy::unit_arg)]
                    let __zenkit_flow = #inner;
                    __zenkit_flow
                },
            },
            last,
        );
        (quote!(__zenkit_self, __zenkit_daemon, __zenkit_args), run)
    } else {
        (
            quote!(__zenkit_self, __zenkit_daemon, _),
            call(hook, quote!(__zenkit_self), &[daemon], HANDLER_RETURN, None),
        )
    };
    quote! {
        #p::Handler {
            event: #event,
            first: #first,
            name: #name,
            call: |#closure_args| #call,
        }
    }
}

/// Whether an `#[on_event]` method takes the event's arguments as they are
/// (`Args`, `Option<Value>`), rather than as a type they are deserialized
/// into.
fn takes_raw_args(hook: &Hook) -> bool {
    let Some(syn::FnArg::Typed(arg)) = hook.sig.inputs.iter().nth(2) else {
        return true;
    };
    let syn::Type::Path(path) = &*arg.ty else {
        return false;
    };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if last.ident == "Args" {
        return true;
    }
    if last.ident != "Option" {
        return false;
    }
    let syn::PathArguments::AngleBracketed(generic) = &last.arguments else {
        return false;
    };
    matches!(
        generic.args.first(),
        Some(syn::GenericArgument::Type(syn::Type::Path(inner)))
            if inner.path.segments.last().is_some_and(|s| s.ident == "Value")
    )
}

/// `fn handlers()` of the event handlers, in declaration order; nothing
/// when there are none.
pub(crate) fn handlers_fn(hooks: &HooksImpl) -> TokenStream {
    let p = private();
    let handlers: Vec<TokenStream> = hooks
        .hooks
        .iter()
        .filter(|h| h.marker.kind.is_handler())
        .map(handler)
        .collect();
    if handlers.is_empty() {
        return TokenStream::new();
    }
    crate::features::daemon_items(quote! {
        fn handlers() -> ::std::vec::Vec<#p::Handler<Self>> {
            ::std::vec![#(#handlers),*]
        }
    })
}

/// The `COMMANDS` table of the commands, in declaration order; with
/// `params`, each with its parameters.
pub(crate) fn commands_const(hooks: &HooksImpl, params: bool) -> TokenStream {
    let p = private();
    let infos: Vec<TokenStream> = hooks
        .of(HookKind::Command)
        .map(|hook| {
            let name = &hook.name;
            let help = &hook.help;
            let rows = if params {
                param_infos(hook)
            } else {
                Vec::new()
            };
            quote!(#p::CommandInfo { name: #name, help: #help, params: &[#(#rows),*] })
        })
        .collect();
    if infos.is_empty() {
        return TokenStream::new();
    }
    quote! {
        const COMMANDS: &'static [#p::CommandInfo] = &[#(#infos),*];
    }
}

/// The checks of the application's kind against the markers of its impl
/// block (commands need a script, event handlers a daemon, and a daemon
/// has no `#[process]` step), each reported on the first marker
/// concerned, and the traits of its commands.
fn kind_assertions(hooks: &HooksImpl) -> TokenStream {
    let self_ty = &hooks.item.self_ty;
    let command = hooks
        .of(HookKind::Command)
        .next()
        .map(|first| kinds::requires(self_ty, "ScriptApp", first.marker.ident.span()));
    let handler = hooks
        .hooks
        .iter()
        .find(|h| h.marker.kind.is_handler())
        .map(|first| kinds::requires(self_ty, "DaemonApp", first.marker.ident.span()));
    let process = hooks
        .of(HookKind::Process)
        .next()
        .map(|first| kinds::requires(self_ty, "ProcessApp", first.marker.ident.span()));
    let commands = command_impls(hooks);
    quote!(#command #handler #process #commands)
}

/// The traits of the block's commands (see [`kinds::command_impls`]).
pub(crate) fn command_impls(hooks: &HooksImpl) -> TokenStream {
    let names = hooks.of(HookKind::Command).map(|hook| hook.name.as_str());
    kinds::command_impls(&hooks.item.self_ty, names)
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
        let call = app_call(hook);
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
        let table = commands_const(hooks, true);
        let arms = commands.iter().map(|hook| {
            let name = &hook.name;
            let call = command_call(hook);
            quote!(#name => #call,)
        });
        quote! {
            #table

            fn execute_command(
                &mut self,
                __zenkit_name: &str,
                __zenkit_args: &#p::CommandArgs,
                __zenkit_ctx: &mut #p::Context,
            ) -> ::core::option::Option<#p::Result<#p::Value>> {
                match __zenkit_name {
                    #(#arms)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    });
    let assertions = kind_assertions(hooks);
    let parsers = param_parsers(hooks);
    let handlers = handlers_fn(hooks);
    let stages = [HookKind::Setup, HookKind::Process, HookKind::Teardown]
        .into_iter()
        .filter_map(|kind| {
            let hook = hooks.of(kind).next()?;
            let name = syn::Ident::new(kind.as_str(), Span::call_site());
            let call = app_call(hook);
            Some(quote! {
                fn #name(&mut self, __zenkit_ctx: &mut #p::Context) -> #p::Result<()> {
                    #call
                }
            })
        });
    quote! {
        const _: () = {
            #assertions
            #parsers

            #[automatically_derived]
            impl #p::Hooks for #self_ty {
                #command_fns
                #handlers
                #action_fns
                #(#stages)*
            }
        };
    }
}
