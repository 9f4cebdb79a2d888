//! Today's date and the time now, without a calendar crate.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Today's date in UTC, as `YYYY-MM-DD`.
pub fn today() -> String {
    let (year, month, day) = civil_from_days(unix_now().div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// The month (YYYY-MM) of a stored day (YYYY-MM-DD): all a certificate keeps of it.
pub(crate) fn month_of(day: &str) -> Result<String, crate::StoreError> {
    let month = day.get(..7).filter(|m| {
        m.bytes().enumerate().all(|(i, b)| {
            if i == 4 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
    });
    month
        .map(str::to_owned)
        .ok_or_else(|| crate::StoreError::Corrupt(format!("not a date: {day:?}")))
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01), after Howard
/// Hinnant's `civil_from_days`.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::civil_from_days;

    #[test]
    fn a_day_keeps_only_its_month() {
        assert_eq!(super::month_of("2026-12-06").unwrap(), "2026-12");
        assert!(super::month_of("2026-1").is_err());
        assert!(super::month_of("20x6-12-06").is_err());
    }

    #[test]
    fn day_numbers_become_the_right_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
