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

/// The day number (days since 1970-01-01) of a proleptic Gregorian date, after Howard
/// Hinnant's `days_from_civil`: the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day `days` after a stored day (before it, for a negative count; both
/// `YYYY-MM-DD`), or `None` when `day` is not one.
pub fn add_days(day: &str, days: i64) -> Option<String> {
    let mut parts = day.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts
        .next()?
        .parse()
        .ok()
        .filter(|m| (1..=12).contains(m))?;
    let date: u32 = parts
        .next()?
        .parse()
        .ok()
        .filter(|d| (1..=31).contains(d))?;
    let (year, month, date) = civil_from_days(days_from_civil(year, month, date) + days);
    Some(format!("{year:04}-{month:02}-{date:02}"))
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

    #[test]
    fn days_are_added_across_months_leap_days_and_years() {
        assert_eq!(super::add_days("2024-02-28", 1).unwrap(), "2024-02-29");
        assert_eq!(super::add_days("2023-02-28", 1).unwrap(), "2023-03-01");
        assert_eq!(super::add_days("2026-12-06", 91).unwrap(), "2027-03-07");
        assert_eq!(super::add_days("2026-12-31", 0).unwrap(), "2026-12-31");
        assert_eq!(super::add_days("2027-03-07", -91).unwrap(), "2026-12-06");
        assert_eq!(super::add_days("not a day", 1), None);
        for n in [0, 1, 59, 365, 10_000, -1, -400] {
            let day = super::add_days("1999-01-01", n).unwrap();
            let (y, m, d) = civil_from_days(super::days_from_civil(1999, 1, 1) + n);
            assert_eq!(day, format!("{y:04}-{m:02}-{d:02}"));
        }
    }
}
