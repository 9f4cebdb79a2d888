//! A calendar day in the United Kingdom: a study's opening, closing and deletion dates,
//! a follow-up wave's window, the day a record was exported or a certificate earned.
//!
//! Decided once, here: a day is a day of the UK's civil calendar (Europe/London, so
//! British Summer Time counts), because the people who set and read these dates are in
//! UK local authorities. A study that "closes on 31 March" takes responses until
//! midnight in London, not until 1am in summer. Days are written `YYYY-MM-DD` (ISO 8601),
//! which also sorts them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta};
use chrono_tz::Europe::London;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How a day is written and stored.
const WRITTEN: &str = "%Y-%m-%d";

/// A day of the UK civil calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(NaiveDate);

/// Text that is not a real day written `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a real date written YYYY-MM-DD")]
pub struct NotADay(pub String);

impl Day {
    /// The first day of the calendar's range: a stand-in that sorts before every day.
    pub const MIN: Day = Day(NaiveDate::MIN);

    /// The day written `text` (`YYYY-MM-DD`, a real date).
    pub fn parse(text: &str) -> Result<Self, NotADay> {
        let not_a_day = || NotADay(text.to_owned());
        // chrono accepts a one-digit month or day; the stored form has exactly ten
        // characters, so that days sort as text too.
        if text.len() != 10 {
            return Err(not_a_day());
        }
        // Every stored record's days are read when a study's results are read: the
        // digits of the written form are read directly rather than through chrono's
        // format parser, which left the odd forms it also takes (a signed year).
        if let Some((year, month, day)) = written_digits(text.as_bytes()) {
            return NaiveDate::from_ymd_opt(year, month, day)
                .map(Self)
                .ok_or_else(not_a_day);
        }
        NaiveDate::parse_from_str(text, WRITTEN)
            .map(Self)
            .map_err(|_| not_a_day())
    }

    /// The day it is in the UK at `unix_seconds` seconds after 1970-01-01 00:00 UTC, or
    /// `None` for an instant outside the calendar's range.
    pub fn in_uk_at(unix_seconds: i64) -> Option<Self> {
        let instant = DateTime::from_timestamp(unix_seconds, 0)?;
        Some(Self(instant.with_timezone(&London).date_naive()))
    }

    /// The day of a year, month (1-12) and day of the month, if it is a real one.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, day).map(Self)
    }

    /// The day `days` after this one (before it, for a negative count), or `None` off
    /// the calendar's range.
    pub fn plus_days(self, days: i64) -> Option<Self> {
        self.0
            .checked_add_signed(TimeDelta::try_days(days)?)
            .map(Self)
    }

    /// The same day of the month `years` years later (28 February for 29 February in a
    /// year that has none).
    pub fn plus_years(self, years: i32) -> Option<Self> {
        let year = self.0.year().checked_add(years)?;
        Self::from_ymd(year, self.0.month(), self.0.day())
            .or_else(|| Self::from_ymd(year, self.0.month(), 28))
    }

    /// The days from `earlier` to this day (negative when `earlier` is later).
    pub fn days_since(self, earlier: Day) -> i64 {
        (self.0 - earlier.0).num_days()
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The month, `YYYY-MM`: all a certificate keeps of the day it was earned.
    pub fn month(self) -> String {
        self.0.format("%Y-%m").to_string()
    }

    /// The day as people read it: `6 December 2026`.
    pub fn long(self) -> String {
        self.0.format("%-d %B %Y").to_string()
    }
}

/// The year, month and day of `YYYY-MM-DD` written in ASCII digits, else `None`.
fn written_digits(text: &[u8]) -> Option<(i32, u32, u32)> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *text else {
        return None;
    };
    let digits = |ds: &[u8]| {
        ds.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    Some((
        i32::try_from(digits(&[y1, y2, y3, y4])?).ok()?,
        digits(&[m1, m2])?,
        digits(&[d1, d2])?,
    ))
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As chrono writes `%Y-%m-%d` for four-digit years, without parsing the format
        // for every day written.
        let year = self.0.year();
        if (0..=9999).contains(&year) {
            write!(f, "{year:04}-{:02}-{:02}", self.0.month(), self.0.day())
        } else {
            write!(f, "{}", self.0.format(WRITTEN))
        }
    }
}

impl FromStr for Day {
    type Err = NotADay;
    fn from_str(text: &str) -> Result<Self, NotADay> {
        Self::parse(text)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::Day;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    #[test]
    fn days_are_read_and_written_exactly_as_chrono_reads_and_writes_the_format() {
        use chrono::NaiveDate;
        let written = |d: NaiveDate| d.format(super::WRITTEN).to_string();
        let chrono_reads = |text: &str| {
            (text.len() == 10)
                .then(|| NaiveDate::parse_from_str(text, super::WRITTEN).ok())
                .flatten()
        };
        // Every day of two leap cycles and the ends of the four-digit range.
        let mut days: Vec<NaiveDate> = (0..2 * 1461)
            .filter_map(|n| {
                NaiveDate::from_ymd_opt(2023, 1, 1)?.checked_add_days(chrono::Days::new(n))
            })
            .collect();
        days.extend(
            [
                (0, 1, 1),
                (1, 1, 1),
                (999, 12, 31),
                (9999, 12, 31),
                (10000, 1, 1),
                (-1, 6, 15),
            ]
            .iter()
            .filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
        );
        for d in days {
            assert_eq!(Day(d).to_string(), written(d), "{d:?} written");
            assert_eq!(
                Day::parse(&written(d)).ok().map(|x| x.0),
                chrono_reads(&written(d))
            );
        }
        for text in [
            "2023-02-29",
            "2024-02-29",
            "2023-13-01",
            "2023-00-10",
            "2023-04-31",
            "2023-04-00",
            "0000-01-01",
            "+999-01-01",
            "-999-01-01",
            "2023/01/01",
            "2023-1-011",
            "20a3-01-01",
            "2023-01-0x",
            " 023-01-01",
            "2023-01-1 ",
            "٢٠٢٣-01-01",
        ] {
            assert_eq!(
                Day::parse(text).ok().map(|x| x.0),
                chrono_reads(text),
                "{text}"
            );
        }
    }

    #[test]
    fn only_real_days_written_in_full_are_days() {
        assert_eq!(day("2026-12-06").to_string(), "2026-12-06");
        for text in [
            "2026-1-06",
            "2026-12-6",
            "20x6-12-06",
            "2026-02-30",
            "",
            " 2026-12-06",
        ] {
            assert!(Day::parse(text).is_err(), "{text:?}");
        }
        assert_eq!(day("2024-02-29").long(), "29 February 2024");
    }

    #[test]
    fn the_day_is_the_uk_day_in_summer_and_in_winter() {
        // 2026-07-01 23:30 UTC is 00:30 on 2 July in London (BST).
        assert_eq!(Day::in_uk_at(1_782_948_600), Some(day("2026-07-02")));
        // 2026-12-01 23:30 UTC is still 1 December in London (GMT).
        assert_eq!(Day::in_uk_at(1_796_167_800), Some(day("2026-12-01")));
        // The clocks go forward at 01:00 UTC on 29 March 2026: 23:00 UTC that day is
        // midnight in London, so already 30 March.
        assert_eq!(Day::in_uk_at(1_774_825_200), Some(day("2026-03-30")));
        assert_eq!(Day::in_uk_at(1_774_825_199), Some(day("2026-03-29")));
    }

    #[test]
    fn days_are_added_across_months_leap_days_and_years() {
        assert_eq!(day("2024-02-28").plus_days(1), Some(day("2024-02-29")));
        assert_eq!(day("2023-02-28").plus_days(1), Some(day("2023-03-01")));
        assert_eq!(day("2026-12-06").plus_days(91), Some(day("2027-03-07")));
        assert_eq!(day("2027-03-07").plus_days(-91), Some(day("2026-12-06")));
        assert_eq!(day("1999-01-01").plus_days(10_000), Some(day("2026-05-19")));
        assert_eq!(day("2024-02-29").plus_years(1), Some(day("2025-02-28")));
        assert_eq!(day("2026-12-06").plus_years(1), Some(day("2027-12-06")));
        assert_eq!(day("2027-03-07").days_since(day("2026-12-06")), 91);
    }

    #[test]
    fn a_day_keeps_its_month_and_orders_like_its_text() {
        assert_eq!(day("2026-12-06").month(), "2026-12");
        assert!(day("2026-12-06") < day("2027-01-01"));
        assert_eq!(
            serde_json::to_string(&day("2026-12-06")).ok().as_deref(),
            Some("\"2026-12-06\"")
        );
        assert!(serde_json::from_str::<Day>("\"2026-13-01\"").is_err());
    }
}
