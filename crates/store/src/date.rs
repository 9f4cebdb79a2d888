//! The clock. A day is a [`Day`] of the UK civil calendar (decided in
//! `skafada_instrument::day`); times are seconds since the Unix epoch, shown in UTC.

use chrono::{DateTime, Utc};
use skafada_instrument::Day;

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    Utc::now().timestamp()
}

/// Today in the UK.
pub fn today() -> Day {
    // The clock reads a time inside chrono's calendar until the year 262,000.
    Day::in_uk_at(unix_now()).unwrap_or(Day::MIN)
}

/// A stored day, or a corrupt-store error naming the text.
pub(crate) fn stored_day(text: &str) -> Result<Day, crate::StoreError> {
    Day::parse(text).map_err(|e| crate::StoreError::Corrupt(e.to_string()))
}

/// A time in seconds since the Unix epoch as `YYYY-MM-DD HH:MM` in UTC.
pub(crate) fn utc_minute(at: i64) -> String {
    DateTime::from_timestamp(at, 0).map_or_else(
        || format!("{at} seconds after 1970"),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn times_are_written_to_the_minute_in_utc() {
        assert_eq!(super::utc_minute(0), "1970-01-01 00:00");
        assert_eq!(super::utc_minute(1_709_164_799), "2024-02-28 23:59");
        assert_eq!(super::utc_minute(-60), "1969-12-31 23:59");
    }

    #[test]
    fn today_is_a_real_day() {
        assert!(super::today() > skafada_instrument::Day::MIN);
    }
}
