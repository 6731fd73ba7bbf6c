//! `#[component]` on an impl block → `impl zenkit::daemon::Component`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::{Generics, ItemImpl, WhereClause};

use super::events;
use super::hooks::{call, handlers_fn, COMPONENT_STATE, HOOK_RETURN};
use super::private;
use crate::ast::HooksImpl;
use crate::attr::HookKind;
use crate::check::{self, Place};
use crate::ctxt::Ctxt;
use crate::fallback;
use crate::features::{self, Feature};

/// Expands `#[component]` with its arguments `args` on `input`.
pub(crate) fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    if !args.is_empty() {
        cx.error_spanned_by(&args, "`#[component]` takes no arguments");
    }
    let item: ItemImpl = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(err) => {
            match syn::parse2::<syn::Item>(input.clone()) {
                Ok(item) => cx.error_at(Span::call_site(), not_an_impl(&item)),
                Err(_) => cx.syn_error(err),
            }
            let errors = cx.check().err().unwrap_or_default();
            return quote!(#errors #input);
        }
    };
    let hooks = HooksImpl::from_ast(&cx, item);
    check::hooks(&cx, &hooks, Place::Component);
    events::check(&cx, &hooks);
    match cx.check() {
        Ok(()) => {
            let item = &hooks.item;
            let generated = generate(&hooks);
            let constants = events::generate(&hooks);
            quote!(#item #generated #constants)
        }
        Err(errors) => fallback::component(&hooks, errors),
    }
}

/// The message for `#[component]` on an item that is not an impl block.
fn not_an_impl(item: &syn::Item) -> String {
    let place = "`#[component]` goes on an impl block of the component's type: `#[component] impl MyComponent { ... }`";
    match item {
        syn::Item::Struct(s) => format!(
            "{place}, not on the struct; mark the impl block of `{}` instead",
            s.ident
        ),
        syn::Item::Enum(e) => format!(
            "{place}, not on the enum; mark the impl block of `{}` instead",
            e.ident
        ),
        syn::Item::Fn(_) => format!(
            "{place}, not on a function; a handler is a method of that block marked `#[on_event(\"...\")]`"
        ),
        _ => place.to_string(),
    }
}

/// The impl block's where clause with `T: 'static` added for each type
/// parameter, as `Component: 'static` needs.
pub(crate) fn static_where(generics: &Generics) -> Option<WhereClause> {
    let mut clause = generics
        .where_clause
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(where));
    for param in generics.type_params() {
        let ident = &param.ident;
        clause.predicates.push(syn::parse_quote!(#ident: 'static));
    }
    (!clause.predicates.is_empty()).then_some(clause)
}

/// `impl<...> Component for Type<...> where ...` with the block's generics.
pub(crate) fn impl_header(item: &ItemImpl) -> TokenStream {
    let p = private();
    let (impl_generics, _, _) = item.generics.split_for_impl();
    let where_clause = static_where(&item.generics);
    let self_ty = &item.self_ty;
    quote!(impl #impl_generics #p::Component for #self_ty #where_clause)
}

/// `type Config`, `fn config_schema` and `fn configure`/`fn check` from the
/// `#[configure]` and `#[check]` methods; `NoConfig` without a
/// `#[configure]` method.
fn configuration(hooks: &HooksImpl) -> TokenStream {
    let p = private();
    let Some(configure) = hooks.of(HookKind::Configure).next() else {
        return quote!(type Config = #p::NoConfig;);
    };
    let ty = match configure.sig.inputs.iter().nth(1) {
        Some(syn::FnArg::Typed(arg)) => arg.ty.to_token_stream(),
        _ => quote!(#p::NoConfig),
    };
    let config = [("component_config", quote!(__zenkit_config))];
    let check = hooks.of(HookKind::Check).next().map(|hook| {
        let checked = call(hook, quote!(self), &config, HOOK_RETURN, None);
        quote! {
            fn check(&self, __zenkit_config: &Self::Config) -> #p::Result<()> {
                #checked
            }
        }
    });
    let configured = call(configure, quote!(self), &config, HOOK_RETURN, None);
    quote! {
        type Config = #ty;
        fn config_schema(__zenkit_generator: &mut #p::SchemaGenerator) -> ::core::option::Option<#p::Schema> {
            #[allow(unused_imports)]
            use #p::{SchemaByDefault as _, SchemaByJsonSchema as _, SchemaByValue as _};
            (&&&#p::SchemaProbe::<#ty>::new()).zenkit_schema(__zenkit_generator)
        }
        fn configure(&mut self, __zenkit_config: Self::Config) -> #p::Result<()> {
            #configured
        }
        #check
    }
}

fn generate(hooks: &HooksImpl) -> TokenStream {
    let p = private();
    let header = impl_header(&hooks.item);
    let handlers = handlers_fn(hooks);
    let daemon = [("daemon", quote!(__zenkit_daemon))];
    let stages = [HookKind::Setup, HookKind::Reload]
        .into_iter()
        .filter_map(|kind| {
            let hook = hooks.of(kind).next()?;
            let name = syn::Ident::new(kind.as_str(), Span::call_site());
            let call = call(hook, quote!(self), &daemon, HOOK_RETURN, None);
            Some(quote! {
                fn #name(&mut self, __zenkit_daemon: &mut #p::Daemon<'_>) -> #p::Result<()> {
                    #call
                }
            })
        });
    let config = configuration(hooks);
    let state = hooks.of(HookKind::State).next().map(|hook| {
        let self_ty = &hooks.item.self_ty;
        let ty = crate::attr::type_text(self_ty);
        let call = call(hook, quote!(self), &[], COMPONENT_STATE, Some(quote!(#ty)));
        quote! {
            fn state(&self) -> #p::Value {
                #call
            }
        }
    });
    let needs = features::needs(Feature::Daemon, "`#[zenkit::component]`", Span::call_site());
    let items = features::daemon_items(quote! {
        #[automatically_derived]
        #header {
            #config
            #handlers
            #(#stages)*
            #state
        }
    });
    quote!(#needs #items)
}
