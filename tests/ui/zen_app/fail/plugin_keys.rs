use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(plugins(Meter, Timer, Meter), linked_plugins = "no")]
struct Tool {}

impl Hooks for Tool {}

#[derive(ZenApp, Default)]
#[zen(plugins(), linked_plugins)]
struct Other {}

impl Hooks for Other {}

#[derive(ZenApp, Default)]
#[zen(plugins = Meter, linked_plugins = 0, plugins(Timer))]
struct Third {}

impl Hooks for Third {}

#[derive(Default)]
struct Meter;

#[derive(Default)]
struct Timer;

fn main() {}
