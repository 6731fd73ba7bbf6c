//! `#[derive(zenkit::Value)]`: one set of names for `FromStr`, `Display`,
//! serde and the possible values of options, with the enum as a `cli` and a
//! `config` key, in `Option`, `Vec` and `Option<Vec>`.

use serde_json::json;
use zenkit::config::Config;
use zenkit::prelude::*;
use zenkit::value::EnumValue;

/// The level of detail.
#[derive(Value, Debug, Clone, Copy, Default, PartialEq)]
enum Detail {
    #[default]
    Summary,
    FullReport,
    #[zen(name = "raw")]
    RawData,
}

#[derive(ZenApp, Default)]
#[zen(defaults(config_file_silent = true, config_dir_silent = true))]
struct Tool {
    /// How much to show.
    #[zen(cli, default = "full-report")]
    detail: Detail,
    #[zen(cli)]
    fallback: Option<Detail>,
    #[zen(cli(long = "also"))]
    also: Vec<Detail>,
    #[zen(cli)]
    only: Option<Vec<Detail>>,
    #[zen(config)]
    stored: Detail,
}

impl Hooks for Tool {}

fn main() {
    assert_eq!(Detail::NAMES, ["summary", "full-report", "raw"]);
    assert_eq!("raw".parse::<Detail>().unwrap(), Detail::RawData);
    assert_eq!(Detail::FullReport.to_string(), "full-report");
    assert_eq!(format!("[{:>8}]", Detail::RawData), "[     raw]");
    assert_eq!(
        "RawData".parse::<Detail>().unwrap_err().to_string(),
        "unknown value \"RawData\"; valid values: summary, full-report, raw"
    );
    assert_eq!(serde_json::to_value(Detail::Summary).unwrap(), json!("summary"));
    assert_eq!(
        serde_json::from_value::<Vec<Detail>>(json!(["raw", "summary"])).unwrap(),
        [Detail::RawData, Detail::Summary]
    );

    let options = Tool::options();
    for id in ["detail", "fallback", "also", "only"] {
        let arg = options.iter().find(|a| a.get_id() == id).unwrap();
        let names: Vec<String> = arg
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_string())
            .collect();
        assert_eq!(names, ["summary", "full-report", "raw"], "{id}");
    }

    let cmd = zenkit::cli::command(&Tool::info(), Tool::KIND, "tool", options, vec![], &[], &[]);
    let matches = cmd
        .clone()
        .try_get_matches_from(["tool", "--fallback", "raw", "--also", "summary", "--only", "raw"])
        .unwrap();
    let cli = zenkit::cli::cli_layer(&cmd, &matches).unwrap();
    assert!(cmd.clone().try_get_matches_from(["tool", "--detail", "all"]).is_err());
    let mut defaults = Tool::defaults().unwrap();
    assert_eq!(defaults["detail"], json!("full-report"));
    defaults.insert("stored".into(), json!("raw"));
    let config = Config::load(defaults, cli).unwrap();
    let mut tool = Tool::default();
    tool.bind(&config).unwrap();
    assert_eq!(tool.detail, Detail::FullReport);
    assert_eq!(tool.fallback, Some(Detail::RawData));
    assert_eq!(tool.also, [Detail::Summary]);
    assert_eq!(tool.only, Some(vec![Detail::RawData]));
    assert_eq!(tool.stored, Detail::RawData);
}
