//! The intervals a script can be run at regularly (`--interval`, config key
//! `interval`).

use std::fmt;
use std::str::FromStr;

use chrono::TimeDelta;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::error::{Error, Result};

/// A regular-run interval, written by its name (`5_minutes`,
/// `hourly`, `2_weekly`, …) on the command line and in configuration files.
///
/// Ordered from the shortest to the longest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Interval {
    /// `5_minutes`: 300 seconds.
    Minutes5,
    /// `10_minutes`: 600 seconds.
    Minutes10,
    /// `15_minutes`: 900 seconds.
    Minutes15,
    /// `20_minutes`: 1200 seconds.
    Minutes20,
    /// `30_minutes`: 1800 seconds.
    Minutes30,
    /// `hourly`: 3600 seconds.
    Hourly,
    /// `2_hourly`: 7200 seconds.
    Hourly2,
    /// `3_hourly`: 10800 seconds.
    Hourly3,
    /// `4_hourly`: 14400 seconds.
    Hourly4,
    /// `6_hourly`: 21600 seconds.
    Hourly6,
    /// `12_hourly`: 43200 seconds.
    Hourly12,
    /// `daily`: 86400 seconds.
    Daily,
    /// `weekly`: 604800 seconds.
    Weekly,
    /// `2_weekly`: 1209600 seconds.
    Weekly2,
    /// `4_weekly`: 2419200 seconds.
    Weekly4,
}

impl Interval {
    /// Every interval, shortest first.
    pub const ALL: [Interval; 15] = [
        Interval::Minutes5,
        Interval::Minutes10,
        Interval::Minutes15,
        Interval::Minutes20,
        Interval::Minutes30,
        Interval::Hourly,
        Interval::Hourly2,
        Interval::Hourly3,
        Interval::Hourly4,
        Interval::Hourly6,
        Interval::Hourly12,
        Interval::Daily,
        Interval::Weekly,
        Interval::Weekly2,
        Interval::Weekly4,
    ];

    /// The name used on the command line and in configuration files.
    pub fn name(&self) -> &'static str {
        match self {
            Interval::Minutes5 => "5_minutes",
            Interval::Minutes10 => "10_minutes",
            Interval::Minutes15 => "15_minutes",
            Interval::Minutes20 => "20_minutes",
            Interval::Minutes30 => "30_minutes",
            Interval::Hourly => "hourly",
            Interval::Hourly2 => "2_hourly",
            Interval::Hourly3 => "3_hourly",
            Interval::Hourly4 => "4_hourly",
            Interval::Hourly6 => "6_hourly",
            Interval::Hourly12 => "12_hourly",
            Interval::Daily => "daily",
            Interval::Weekly => "weekly",
            Interval::Weekly2 => "2_weekly",
            Interval::Weekly4 => "4_weekly",
        }
    }

    /// The length of the interval in seconds.
    pub fn seconds(&self) -> i64 {
        const MINUTE: i64 = 60;
        const HOUR: i64 = 60 * MINUTE;
        const DAY: i64 = 24 * HOUR;
        match self {
            Interval::Minutes5 => 5 * MINUTE,
            Interval::Minutes10 => 10 * MINUTE,
            Interval::Minutes15 => 15 * MINUTE,
            Interval::Minutes20 => 20 * MINUTE,
            Interval::Minutes30 => 30 * MINUTE,
            Interval::Hourly => HOUR,
            Interval::Hourly2 => 2 * HOUR,
            Interval::Hourly3 => 3 * HOUR,
            Interval::Hourly4 => 4 * HOUR,
            Interval::Hourly6 => 6 * HOUR,
            Interval::Hourly12 => 12 * HOUR,
            Interval::Daily => DAY,
            Interval::Weekly => 7 * DAY,
            Interval::Weekly2 => 14 * DAY,
            Interval::Weekly4 => 28 * DAY,
        }
    }

    /// The length of the interval as a [`TimeDelta`].
    pub fn duration(&self) -> TimeDelta {
        TimeDelta::seconds(self.seconds())
    }

    /// The names of all intervals, comma separated, for messages and help.
    pub fn valid_names() -> String {
        Interval::ALL.map(|interval| interval.name()).join(", ")
    }
}

/// The usage error for a name that is no interval.
fn invalid_interval(raw: &str) -> Error {
    Error::usage(format!(
        "invalid interval '{raw}'; valid intervals: {}",
        Interval::valid_names()
    ))
}

impl FromStr for Interval {
    type Err = Error;

    /// Reads an interval by its exact name; anything else is a usage error
    /// listing every valid name.
    fn from_str(raw: &str) -> Result<Interval> {
        Interval::ALL
            .into_iter()
            .find(|interval| interval.name() == raw)
            .ok_or_else(|| invalid_interval(raw))
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Interval {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Interval, D::Error> {
        struct IntervalVisitor;

        impl Visitor<'_> for IntervalVisitor {
            type Value = Interval;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "an interval name, one of {}", Interval::valid_names())
            }

            fn visit_str<E: de::Error>(self, raw: &str) -> std::result::Result<Interval, E> {
                raw.parse().map_err(|err: Error| E::custom(err.message()))
            }
        }

        deserializer.deserialize_str(IntervalVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    const ALL_NAMES: &str = "5_minutes, 10_minutes, 15_minutes, 20_minutes, 30_minutes, \
                             hourly, 2_hourly, 3_hourly, 4_hourly, 6_hourly, 12_hourly, \
                             daily, weekly, 2_weekly, 4_weekly";

    #[test]
    fn table_matches_the_spec() {
        let table: Vec<(&str, i64)> = Interval::ALL
            .iter()
            .map(|interval| (interval.name(), interval.seconds()))
            .collect();
        assert_eq!(
            table,
            [
                ("5_minutes", 300),
                ("10_minutes", 600),
                ("15_minutes", 900),
                ("20_minutes", 1200),
                ("30_minutes", 1800),
                ("hourly", 3600),
                ("2_hourly", 7200),
                ("3_hourly", 10800),
                ("4_hourly", 14400),
                ("6_hourly", 21600),
                ("12_hourly", 43200),
                ("daily", 86400),
                ("weekly", 604800),
                ("2_weekly", 1209600),
                ("4_weekly", 2419200),
            ]
        );
    }

    #[test]
    fn all_is_ordered_and_complete() {
        for pair in Interval::ALL.windows(2) {
            assert!(pair[0] < pair[1]);
            assert!(pair[0].seconds() < pair[1].seconds());
        }
        let mut names: Vec<&str> = Interval::ALL.iter().map(Interval::name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 15);
    }

    #[test]
    fn duration_equals_seconds() {
        for interval in Interval::ALL {
            assert_eq!(interval.duration().num_seconds(), interval.seconds());
            assert_eq!(interval.duration().subsec_nanos(), 0);
        }
    }

    #[test]
    fn parse_and_display_round_trip() {
        for interval in Interval::ALL {
            let parsed: Interval = interval.name().parse().unwrap();
            assert_eq!(parsed, interval);
            assert_eq!(interval.to_string(), interval.name());
        }
        assert_eq!("daily".parse::<Interval>().unwrap(), Interval::Daily);
        assert_eq!("2_hourly".parse::<Interval>().unwrap(), Interval::Hourly2);
    }

    #[test]
    fn valid_names_lists_every_interval_in_order() {
        assert_eq!(Interval::valid_names(), ALL_NAMES);
    }

    #[test]
    fn unknown_names_are_usage_errors_listing_every_interval() {
        for raw in [
            "",
            "Daily",
            "DAILY",
            " daily",
            "daily ",
            "1_hourly",
            "monthly",
            "300",
            "5-minutes",
        ] {
            let err = raw.parse::<Interval>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Usage, "{raw:?}");
            assert_eq!(err.exit_code(), 64);
            assert_eq!(
                err.message(),
                format!("invalid interval '{raw}'; valid intervals: {ALL_NAMES}")
            );
            assert!(!err.message().contains('\n'));
        }
    }

    #[test]
    fn serde_uses_the_name() {
        for interval in Interval::ALL {
            let value = serde_json::to_value(interval).unwrap();
            assert_eq!(value, json!(interval.name()));
            let back: Interval = serde_json::from_value(value).unwrap();
            assert_eq!(back, interval);
        }
        assert_eq!(
            serde_json::to_string(&Interval::Weekly4).unwrap(),
            "\"4_weekly\""
        );
        let parsed: Interval = serde_json::from_str("\"12_hourly\"").unwrap();
        assert_eq!(parsed, Interval::Hourly12);
    }

    #[test]
    fn serde_rejects_a_wrong_name_with_the_same_message() {
        let err = serde_json::from_value::<Interval>(json!("fortnightly")).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid interval 'fortnightly'; valid intervals: {ALL_NAMES}")
        );
        // From text the position is added by serde_json.
        let err = serde_json::from_str::<Interval>("\"hourly2\"").unwrap_err();
        assert!(
            err.to_string().starts_with(&format!(
                "invalid interval 'hourly2'; valid intervals: {ALL_NAMES}"
            )),
            "{err}"
        );
    }

    #[test]
    fn serde_rejects_other_types_listing_the_names() {
        let err = serde_json::from_value::<Interval>(json!(3600)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid type: integer `3600`, expected an interval name, one of {ALL_NAMES}")
        );
        assert!(serde_json::from_value::<Interval>(json!(null)).is_err());
        assert!(serde_json::from_value::<Interval>(json!(["daily"])).is_err());
    }

    #[test]
    fn binds_inside_a_configuration_struct() {
        #[derive(Debug, serde::Deserialize)]
        struct Section {
            interval: Option<Interval>,
        }
        let section: Section = serde_json::from_value(json!({"interval": "weekly"})).unwrap();
        assert_eq!(section.interval, Some(Interval::Weekly));
        let section: Section = serde_json::from_value(json!({"interval": null})).unwrap();
        assert_eq!(section.interval, None);
        let err = serde_json::from_value::<Section>(json!({"interval": "yearly"})).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("invalid interval 'yearly'; valid intervals: 5_minutes, "));
    }
}
