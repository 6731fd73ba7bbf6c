use zenkit::prelude::*;

#[derive(ZenApp, Default)]
#[zen(script)]
struct Job {}

#[zenkit::app]
impl Job {
    #[command]
    fn unmarked(&mut self, _ctx: &mut Context, archive: String) -> Result<()> {
        let _ = archive;
        Ok(())
    }

    #[command]
    fn flag_argument(&mut self, _ctx: &mut Context, #[arg] force: bool) -> Result<()> {
        let _ = force;
        Ok(())
    }

    #[command]
    fn after_many(
        &mut self,
        _ctx: &mut Context,
        #[arg] files: Vec<String>,
        #[arg] last: String,
    ) -> Result<()> {
        let _ = (files, last);
        Ok(())
    }

    #[command]
    fn after_optional(
        &mut self,
        _ctx: &mut Context,
        #[arg] first: Option<String>,
        #[arg] second: String,
    ) -> Result<()> {
        let _ = (first, second);
        Ok(())
    }

    #[command]
    fn one_name_twice(
        &mut self,
        _ctx: &mut Context,
        #[opt] force: bool,
        #[opt(long = "force")] really: bool,
    ) -> Result<()> {
        let _ = (force, really);
        Ok(())
    }

    #[command]
    fn builtin_name(&mut self, _ctx: &mut Context, #[opt] debug: bool) -> Result<()> {
        let _ = debug;
        Ok(())
    }

    #[command]
    fn short_argument(&mut self, _ctx: &mut Context, #[arg(short = 'a')] archive: String) -> Result<()> {
        let _ = archive;
        Ok(())
    }

    #[command]
    fn pattern(&mut self, _ctx: &mut Context, #[arg] (a, b): (String, String)) -> Result<()> {
        let _ = (a, b);
        Ok(())
    }

    #[action]
    fn not_a_command(&mut self, _ctx: &mut Context, #[opt] force: bool) -> Result<()> {
        let _ = force;
        Ok(())
    }

    #[command]
    fn tag(&mut self, _ctx: &mut Context, #[opt] tags: Option<Vec<String>>) -> Result<()> {
        let _ = tags;
        Ok(())
    }

    #[command]
    fn help(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    fn plain_method(&self, #[arg] archive: String) -> String {
        archive
    }
}

fn main() {}
