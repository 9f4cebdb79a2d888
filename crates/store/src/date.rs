//! Days and times. A day is a UTC calendar day written `YYYY-MM-DD` (a study's opening,
//! closing and deletion dates, a response's start): decided here once, with chrono's
//! calendar rather than one of our own.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// How a day is written and stored.
const DAY: &str = "%Y-%m-%d";

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    Utc::now().timestamp()
}

/// Today's date in UTC, as `YYYY-MM-DD`.
pub fn today() -> String {
    Utc::now().date_naive().format(DAY).to_string()
}

/// A stored day, or `None` when it is not a real date written `YYYY-MM-DD`.
fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, DAY).ok()
}

/// The month (YYYY-MM) of a stored day (YYYY-MM-DD): all a certificate keeps of it.
pub(crate) fn month_of(stored: &str) -> Result<String, crate::StoreError> {
    day(stored)
        .map(|d| d.format("%Y-%m").to_string())
        .ok_or_else(|| crate::StoreError::Corrupt(format!("not a date: {stored:?}")))
}

/// A time in seconds since the Unix epoch as `YYYY-MM-DD HH:MM` in UTC.
pub(crate) fn utc_minute(at: i64) -> String {
    DateTime::from_timestamp(at, 0).map_or_else(
        || format!("{at} seconds after 1970"),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// The day `days` after a stored day (before it, for a negative count; both
/// `YYYY-MM-DD`), or `None` when `day` is not one.
pub fn add_days(stored: &str, days: i64) -> Option<String> {
    let moved = day(stored)?.checked_add_signed(TimeDelta::try_days(days)?)?;
    Some(moved.format(DAY).to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn a_day_keeps_only_its_month() {
        assert_eq!(super::month_of("2026-12-06").unwrap(), "2026-12");
        assert!(super::month_of("2026-1").is_err());
        assert!(super::month_of("20x6-12-06").is_err());
        assert!(super::month_of("2026-02-30").is_err());
    }

    #[test]
    fn times_are_written_to_the_minute_in_utc() {
        assert_eq!(super::utc_minute(0), "1970-01-01 00:00");
        assert_eq!(super::utc_minute(1_709_164_799), "2024-02-28 23:59");
        assert_eq!(super::utc_minute(-60), "1969-12-31 23:59");
    }

    #[test]
    fn days_are_added_across_months_leap_days_and_years() {
        assert_eq!(super::add_days("2024-02-28", 1).unwrap(), "2024-02-29");
        assert_eq!(super::add_days("2023-02-28", 1).unwrap(), "2023-03-01");
        assert_eq!(super::add_days("2026-12-06", 91).unwrap(), "2027-03-07");
        assert_eq!(super::add_days("2026-12-31", 0).unwrap(), "2026-12-31");
        assert_eq!(super::add_days("2027-03-07", -91).unwrap(), "2026-12-06");
        assert_eq!(super::add_days("1999-01-01", 10_000).unwrap(), "2026-05-19");
        assert_eq!(super::add_days("not a day", 1), None);
        assert_eq!(super::add_days("2026-02-30", 1), None);
    }

    #[test]
    fn today_is_a_real_day() {
        assert!(super::day(&super::today()).is_some());
    }
}
