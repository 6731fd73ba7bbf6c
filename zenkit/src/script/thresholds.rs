//! The lower and upper time thresholds of a regular run.

use chrono::{DateTime, Utc};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::interval::Interval;
use super::time::format_time;

/// The time range a regular run covers: from `lower` to `upper`, one
/// `interval` long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Thresholds {
    /// The start of the range: `upper` minus the interval.
    pub lower: DateTime<Utc>,
    /// The end of the range: `time_high`, floored to the interval when
    /// adjusted.
    pub upper: DateTime<Utc>,
    /// The interval the range was computed for.
    pub interval: Interval,
}

impl Serialize for Thresholds {
    /// Writes `{"lower": "<RFC 3339>", "upper": "<RFC 3339>", "interval":
    /// "<name>"}`, the times in UTC as [`format_time`] writes them.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("Thresholds", 3)?;
        fields.serialize_field("lower", &format_time(&self.lower))?;
        fields.serialize_field("upper", &format_time(&self.upper))?;
        fields.serialize_field("interval", &self.interval)?;
        fields.end()
    }
}

/// The thresholds of one `interval` ending at `time_high`: `upper` is
/// `time_high` and `lower` is one interval earlier.
///
/// With `adjust` (`--adjust-thresholds`), `upper` is first floored to a whole
/// multiple of the interval counted from the Unix epoch in UTC, dropping any
/// fraction of a second; times before 1970 floor towards the past. So hourly
/// thresholds at 12:47:12.5 are 11:47:12.5–12:47:12.5, adjusted
/// 11:00:00–12:00:00; weekly ones, adjusted, run Thursday to Thursday as
/// the epoch began on a Thursday. Without `adjust` the fraction is kept.
///
/// A result before the earliest time chrono represents (year −262143) is
/// clamped to that time.
pub fn thresholds(time_high: DateTime<Utc>, interval: Interval, adjust: bool) -> Thresholds {
    let upper = upper_threshold(time_high, interval, adjust);
    let lower = upper
        .checked_sub_signed(interval.duration())
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    Thresholds {
        lower,
        upper,
        interval,
    }
}

/// The upper threshold alone: `time_high`, or with `adjust` `time_high`
/// floored to the interval in UTC as [`thresholds`] describes.
pub fn upper_threshold(
    time_high: DateTime<Utc>,
    interval: Interval,
    adjust: bool,
) -> DateTime<Utc> {
    if !adjust {
        return time_high;
    }
    let step = interval.seconds();
    // `timestamp()` is already floored to the second; `div_euclid` floors
    // negative (pre-1970) seconds towards the past too.
    let floored = time_high.timestamp().div_euclid(step) * step;
    DateTime::from_timestamp(floored, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::{format_time, parse_time};
    use serde_json::json;

    /// One row per interval: name, lower threshold without adjustment, and
    /// lower and upper thresholds with adjustment, all in UTC. Without
    /// adjustment the upper threshold is `time_high` itself.
    type Row = (&'static str, &'static str, &'static str, &'static str);

    /// Checks every interval, shortest first, against `rows`.
    fn check(raw_time_high: &str, time_high_utc: &str, rows: [Row; 15]) {
        let time_high = parse_time(raw_time_high).unwrap();
        assert_eq!(format_time(&time_high), time_high_utc);
        for (interval, (name, lower, adjusted_lower, adjusted_upper)) in
            Interval::ALL.into_iter().zip(rows)
        {
            assert_eq!(interval.name(), name);

            let plain = thresholds(time_high, interval, false);
            assert_eq!(plain.interval, interval);
            assert_eq!(format_time(&plain.lower), lower, "{raw_time_high} {name}");
            assert_eq!(
                format_time(&plain.upper),
                time_high_utc,
                "{raw_time_high} {name}"
            );
            assert_eq!(upper_threshold(time_high, interval, false), plain.upper);

            let adjusted = thresholds(time_high, interval, true);
            assert_eq!(adjusted.interval, interval);
            assert_eq!(
                format_time(&adjusted.lower),
                adjusted_lower,
                "{raw_time_high} {name} adjusted"
            );
            assert_eq!(
                format_time(&adjusted.upper),
                adjusted_upper,
                "{raw_time_high} {name} adjusted"
            );
            assert_eq!(upper_threshold(time_high, interval, true), adjusted.upper);
        }
    }

    #[test]
    fn every_interval_from_an_integer_timestamp() {
        // A Wednesday, one second before 2026; weekly floors land on Thursdays.
        check(
            "1767225599",
            "2025-12-31T23:59:59Z",
            [
                (
                    "5_minutes",
                    "2025-12-31T23:54:59Z",
                    "2025-12-31T23:50:00Z",
                    "2025-12-31T23:55:00Z",
                ),
                (
                    "10_minutes",
                    "2025-12-31T23:49:59Z",
                    "2025-12-31T23:40:00Z",
                    "2025-12-31T23:50:00Z",
                ),
                (
                    "15_minutes",
                    "2025-12-31T23:44:59Z",
                    "2025-12-31T23:30:00Z",
                    "2025-12-31T23:45:00Z",
                ),
                (
                    "20_minutes",
                    "2025-12-31T23:39:59Z",
                    "2025-12-31T23:20:00Z",
                    "2025-12-31T23:40:00Z",
                ),
                (
                    "30_minutes",
                    "2025-12-31T23:29:59Z",
                    "2025-12-31T23:00:00Z",
                    "2025-12-31T23:30:00Z",
                ),
                (
                    "hourly",
                    "2025-12-31T22:59:59Z",
                    "2025-12-31T22:00:00Z",
                    "2025-12-31T23:00:00Z",
                ),
                (
                    "2_hourly",
                    "2025-12-31T21:59:59Z",
                    "2025-12-31T20:00:00Z",
                    "2025-12-31T22:00:00Z",
                ),
                (
                    "3_hourly",
                    "2025-12-31T20:59:59Z",
                    "2025-12-31T18:00:00Z",
                    "2025-12-31T21:00:00Z",
                ),
                (
                    "4_hourly",
                    "2025-12-31T19:59:59Z",
                    "2025-12-31T16:00:00Z",
                    "2025-12-31T20:00:00Z",
                ),
                (
                    "6_hourly",
                    "2025-12-31T17:59:59Z",
                    "2025-12-31T12:00:00Z",
                    "2025-12-31T18:00:00Z",
                ),
                (
                    "12_hourly",
                    "2025-12-31T11:59:59Z",
                    "2025-12-31T00:00:00Z",
                    "2025-12-31T12:00:00Z",
                ),
                (
                    "daily",
                    "2025-12-30T23:59:59Z",
                    "2025-12-30T00:00:00Z",
                    "2025-12-31T00:00:00Z",
                ),
                (
                    "weekly",
                    "2025-12-24T23:59:59Z",
                    "2025-12-18T00:00:00Z",
                    "2025-12-25T00:00:00Z",
                ),
                (
                    "2_weekly",
                    "2025-12-17T23:59:59Z",
                    "2025-12-04T00:00:00Z",
                    "2025-12-18T00:00:00Z",
                ),
                (
                    "4_weekly",
                    "2025-12-03T23:59:59Z",
                    "2025-11-20T00:00:00Z",
                    "2025-12-18T00:00:00Z",
                ),
            ],
        );
    }

    #[test]
    fn every_interval_from_a_float_timestamp() {
        check(
            "1700000000.25",
            "2023-11-14T22:13:20.250Z",
            [
                (
                    "5_minutes",
                    "2023-11-14T22:08:20.250Z",
                    "2023-11-14T22:05:00Z",
                    "2023-11-14T22:10:00Z",
                ),
                (
                    "10_minutes",
                    "2023-11-14T22:03:20.250Z",
                    "2023-11-14T22:00:00Z",
                    "2023-11-14T22:10:00Z",
                ),
                (
                    "15_minutes",
                    "2023-11-14T21:58:20.250Z",
                    "2023-11-14T21:45:00Z",
                    "2023-11-14T22:00:00Z",
                ),
                (
                    "20_minutes",
                    "2023-11-14T21:53:20.250Z",
                    "2023-11-14T21:40:00Z",
                    "2023-11-14T22:00:00Z",
                ),
                (
                    "30_minutes",
                    "2023-11-14T21:43:20.250Z",
                    "2023-11-14T21:30:00Z",
                    "2023-11-14T22:00:00Z",
                ),
                (
                    "hourly",
                    "2023-11-14T21:13:20.250Z",
                    "2023-11-14T21:00:00Z",
                    "2023-11-14T22:00:00Z",
                ),
                (
                    "2_hourly",
                    "2023-11-14T20:13:20.250Z",
                    "2023-11-14T20:00:00Z",
                    "2023-11-14T22:00:00Z",
                ),
                (
                    "3_hourly",
                    "2023-11-14T19:13:20.250Z",
                    "2023-11-14T18:00:00Z",
                    "2023-11-14T21:00:00Z",
                ),
                (
                    "4_hourly",
                    "2023-11-14T18:13:20.250Z",
                    "2023-11-14T16:00:00Z",
                    "2023-11-14T20:00:00Z",
                ),
                (
                    "6_hourly",
                    "2023-11-14T16:13:20.250Z",
                    "2023-11-14T12:00:00Z",
                    "2023-11-14T18:00:00Z",
                ),
                (
                    "12_hourly",
                    "2023-11-14T10:13:20.250Z",
                    "2023-11-14T00:00:00Z",
                    "2023-11-14T12:00:00Z",
                ),
                (
                    "daily",
                    "2023-11-13T22:13:20.250Z",
                    "2023-11-13T00:00:00Z",
                    "2023-11-14T00:00:00Z",
                ),
                (
                    "weekly",
                    "2023-11-07T22:13:20.250Z",
                    "2023-11-02T00:00:00Z",
                    "2023-11-09T00:00:00Z",
                ),
                (
                    "2_weekly",
                    "2023-10-31T22:13:20.250Z",
                    "2023-10-26T00:00:00Z",
                    "2023-11-09T00:00:00Z",
                ),
                (
                    "4_weekly",
                    "2023-10-17T22:13:20.250Z",
                    "2023-09-28T00:00:00Z",
                    "2023-10-26T00:00:00Z",
                ),
            ],
        );
    }

    #[test]
    fn every_interval_from_an_rfc3339_time_with_an_offset() {
        // Floored in UTC: hourly at 13:47 local (+01:00) gives 12:00Z, not 13:00+01:00.
        check(
            "2026-11-25T13:47:12.5+01:00",
            "2026-11-25T12:47:12.500Z",
            [
                (
                    "5_minutes",
                    "2026-11-25T12:42:12.500Z",
                    "2026-11-25T12:40:00Z",
                    "2026-11-25T12:45:00Z",
                ),
                (
                    "10_minutes",
                    "2026-11-25T12:37:12.500Z",
                    "2026-11-25T12:30:00Z",
                    "2026-11-25T12:40:00Z",
                ),
                (
                    "15_minutes",
                    "2026-11-25T12:32:12.500Z",
                    "2026-11-25T12:30:00Z",
                    "2026-11-25T12:45:00Z",
                ),
                (
                    "20_minutes",
                    "2026-11-25T12:27:12.500Z",
                    "2026-11-25T12:20:00Z",
                    "2026-11-25T12:40:00Z",
                ),
                (
                    "30_minutes",
                    "2026-11-25T12:17:12.500Z",
                    "2026-11-25T12:00:00Z",
                    "2026-11-25T12:30:00Z",
                ),
                (
                    "hourly",
                    "2026-11-25T11:47:12.500Z",
                    "2026-11-25T11:00:00Z",
                    "2026-11-25T12:00:00Z",
                ),
                (
                    "2_hourly",
                    "2026-11-25T10:47:12.500Z",
                    "2026-11-25T10:00:00Z",
                    "2026-11-25T12:00:00Z",
                ),
                (
                    "3_hourly",
                    "2026-11-25T09:47:12.500Z",
                    "2026-11-25T09:00:00Z",
                    "2026-11-25T12:00:00Z",
                ),
                (
                    "4_hourly",
                    "2026-11-25T08:47:12.500Z",
                    "2026-11-25T08:00:00Z",
                    "2026-11-25T12:00:00Z",
                ),
                (
                    "6_hourly",
                    "2026-11-25T06:47:12.500Z",
                    "2026-11-25T06:00:00Z",
                    "2026-11-25T12:00:00Z",
                ),
                (
                    "12_hourly",
                    "2026-11-25T00:47:12.500Z",
                    "2026-11-25T00:00:00Z",
                    "2026-11-25T12:00:00Z",
                ),
                (
                    "daily",
                    "2026-11-24T12:47:12.500Z",
                    "2026-11-24T00:00:00Z",
                    "2026-11-25T00:00:00Z",
                ),
                (
                    "weekly",
                    "2026-11-18T12:47:12.500Z",
                    "2026-11-12T00:00:00Z",
                    "2026-11-19T00:00:00Z",
                ),
                (
                    "2_weekly",
                    "2026-11-11T12:47:12.500Z",
                    "2026-11-05T00:00:00Z",
                    "2026-11-19T00:00:00Z",
                ),
                (
                    "4_weekly",
                    "2026-10-28T12:47:12.500Z",
                    "2026-10-22T00:00:00Z",
                    "2026-11-19T00:00:00Z",
                ),
            ],
        );
    }

    #[test]
    fn every_interval_before_the_epoch_floors_towards_the_past() {
        check(
            "-1.5",
            "1969-12-31T23:59:58.500Z",
            [
                (
                    "5_minutes",
                    "1969-12-31T23:54:58.500Z",
                    "1969-12-31T23:50:00Z",
                    "1969-12-31T23:55:00Z",
                ),
                (
                    "10_minutes",
                    "1969-12-31T23:49:58.500Z",
                    "1969-12-31T23:40:00Z",
                    "1969-12-31T23:50:00Z",
                ),
                (
                    "15_minutes",
                    "1969-12-31T23:44:58.500Z",
                    "1969-12-31T23:30:00Z",
                    "1969-12-31T23:45:00Z",
                ),
                (
                    "20_minutes",
                    "1969-12-31T23:39:58.500Z",
                    "1969-12-31T23:20:00Z",
                    "1969-12-31T23:40:00Z",
                ),
                (
                    "30_minutes",
                    "1969-12-31T23:29:58.500Z",
                    "1969-12-31T23:00:00Z",
                    "1969-12-31T23:30:00Z",
                ),
                (
                    "hourly",
                    "1969-12-31T22:59:58.500Z",
                    "1969-12-31T22:00:00Z",
                    "1969-12-31T23:00:00Z",
                ),
                (
                    "2_hourly",
                    "1969-12-31T21:59:58.500Z",
                    "1969-12-31T20:00:00Z",
                    "1969-12-31T22:00:00Z",
                ),
                (
                    "3_hourly",
                    "1969-12-31T20:59:58.500Z",
                    "1969-12-31T18:00:00Z",
                    "1969-12-31T21:00:00Z",
                ),
                (
                    "4_hourly",
                    "1969-12-31T19:59:58.500Z",
                    "1969-12-31T16:00:00Z",
                    "1969-12-31T20:00:00Z",
                ),
                (
                    "6_hourly",
                    "1969-12-31T17:59:58.500Z",
                    "1969-12-31T12:00:00Z",
                    "1969-12-31T18:00:00Z",
                ),
                (
                    "12_hourly",
                    "1969-12-31T11:59:58.500Z",
                    "1969-12-31T00:00:00Z",
                    "1969-12-31T12:00:00Z",
                ),
                (
                    "daily",
                    "1969-12-30T23:59:58.500Z",
                    "1969-12-30T00:00:00Z",
                    "1969-12-31T00:00:00Z",
                ),
                (
                    "weekly",
                    "1969-12-24T23:59:58.500Z",
                    "1969-12-18T00:00:00Z",
                    "1969-12-25T00:00:00Z",
                ),
                (
                    "2_weekly",
                    "1969-12-17T23:59:58.500Z",
                    "1969-12-04T00:00:00Z",
                    "1969-12-18T00:00:00Z",
                ),
                (
                    "4_weekly",
                    "1969-12-03T23:59:58.500Z",
                    "1969-11-06T00:00:00Z",
                    "1969-12-04T00:00:00Z",
                ),
            ],
        );
    }

    #[test]
    fn the_forms_of_one_instant_give_the_same_thresholds() {
        let forms = [
            "1795610832.5",
            "2026-11-25T12:47:12.5Z",
            "2026-11-25 07:17:12.500-05:30",
        ];
        for interval in Interval::ALL {
            for adjust in [false, true] {
                let expected = thresholds(parse_time(forms[0]).unwrap(), interval, adjust);
                for raw in &forms[1..] {
                    assert_eq!(
                        thresholds(parse_time(raw).unwrap(), interval, adjust),
                        expected
                    );
                }
            }
        }
    }

    #[test]
    fn a_boundary_stays_and_the_instant_before_it_falls_back() {
        let boundary = parse_time("2026-11-25T12:00:00Z").unwrap();
        let adjusted = upper_threshold(boundary, Interval::Hourly, true);
        assert_eq!(format_time(&adjusted), "2026-11-25T12:00:00Z");
        let just_before = parse_time("2026-11-25T11:59:59.999999999Z").unwrap();
        let adjusted = upper_threshold(just_before, Interval::Hourly, true);
        assert_eq!(format_time(&adjusted), "2026-11-25T11:00:00Z");
        let epoch = parse_time("0").unwrap();
        assert_eq!(
            format_time(&upper_threshold(epoch, Interval::Weekly4, true)),
            "1970-01-01T00:00:00Z"
        );
        let before_epoch = parse_time("-0.000000001").unwrap();
        assert_eq!(
            format_time(&upper_threshold(before_epoch, Interval::Weekly4, true)),
            "1969-12-04T00:00:00Z"
        );
    }

    #[test]
    fn the_earliest_time_is_clamped_not_overflowed() {
        let earliest = DateTime::<Utc>::MIN_UTC;
        for interval in Interval::ALL {
            for adjust in [false, true] {
                let range = thresholds(earliest, interval, adjust);
                assert_eq!(range.lower, earliest);
                assert!(range.upper >= earliest);
            }
        }
        let latest = DateTime::<Utc>::MAX_UTC;
        let range = thresholds(latest, Interval::Weekly4, true);
        assert!(range.upper <= latest);
        assert_eq!((range.upper - range.lower).num_seconds(), 2_419_200);
    }

    #[test]
    fn serializes_as_rfc3339_and_the_interval_name() {
        let time_high = parse_time("2026-11-25T13:47:12.5+01:00").unwrap();
        assert_eq!(
            serde_json::to_value(thresholds(time_high, Interval::Hourly, false)).unwrap(),
            json!({
                "lower": "2026-11-25T11:47:12.500Z",
                "upper": "2026-11-25T12:47:12.500Z",
                "interval": "hourly",
            })
        );
        assert_eq!(
            serde_json::to_value(thresholds(time_high, Interval::Daily, true)).unwrap(),
            json!({
                "lower": "2026-11-24T00:00:00Z",
                "upper": "2026-11-25T00:00:00Z",
                "interval": "daily",
            })
        );
    }
}
