//! Proleptic Gregorian calendar arithmetic in UTC, with JavaScript `Date`'s range and
//! roll-over rules (`Date.UTC(2018, 1, 31)` is the 3rd of March).

/// JavaScript dates reach ±8.64e15 ms around the epoch.
const MAX_MILLIS: f64 = 8.64e15;
pub(crate) const MILLIS_PER_DAY: f64 = 86_400_000.0;

/// The calendar fields of an instant, as `f64` so that an invalid date reads as NaN
/// everywhere, as JavaScript's `getUTC…` methods do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Fields {
    pub year: f64,
    /// 0 = January.
    pub month: f64,
    pub day: f64,
    pub hour: f64,
    pub minute: f64,
    pub second: f64,
    pub millisecond: f64,
    /// 0 = Sunday.
    pub weekday: f64,
}

/// Days since 1970-01-01 of a civil date (month 1–12).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date (year, month 1–12, day) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub(crate) fn fields(millis: f64) -> Fields {
    if !millis.is_finite() || millis.abs() > MAX_MILLIS {
        let nan = f64::NAN;
        return Fields {
            year: nan,
            month: nan,
            day: nan,
            hour: nan,
            minute: nan,
            second: nan,
            millisecond: nan,
            weekday: nan,
        };
    }
    let millis = millis.trunc() as i64;
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    Fields {
        year: year as f64,
        month: (month - 1) as f64,
        day: day as f64,
        hour: (in_day / 3_600_000) as f64,
        minute: (in_day / 60_000 % 60) as f64,
        second: (in_day / 1000 % 60) as f64,
        millisecond: (in_day % 1000) as f64,
        weekday: (days + 4).rem_euclid(7) as f64,
    }
}

/// JavaScript's `Date.UTC`: out-of-range fields roll over; years 0–99 mean 1900–1999.
pub(crate) fn utc(
    year: f64,
    month: f64,
    day: f64,
    hour: f64,
    minute: f64,
    second: f64,
    ms: f64,
) -> f64 {
    let all = [year, month, day, hour, minute, second, ms];
    if all.iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    let year = year.trunc();
    let year = if (0.0..=99.0).contains(&year) {
        1900.0 + year
    } else {
        year
    };
    make_date(
        year,
        month.trunc(),
        day.trunc(),
        time(hour, minute, second, ms),
    )
}

/// `Date.UTC` without the two-digit-year rule (for ISO text, where `0099` is year 99).
pub(crate) fn utc_exact(year: f64, month: f64, day: f64, time_ms: f64) -> f64 {
    make_date(year, month, day, time_ms)
}

fn time(hour: f64, minute: f64, second: f64, ms: f64) -> f64 {
    hour.trunc() * 3_600_000.0 + minute.trunc() * 60_000.0 + second.trunc() * 1000.0 + ms.trunc()
}

fn make_date(year: f64, month: f64, day: f64, time_ms: f64) -> f64 {
    let whole_year = year + (month / 12.0).floor();
    if whole_year.abs() > 400_000.0 {
        return f64::NAN;
    }
    let month_in_year = month.rem_euclid(12.0);
    let first = days_from_civil(whole_year as i64, month_in_year as i64 + 1, 1) as f64;
    let millis = (first + day - 1.0) * MILLIS_PER_DAY + time_ms;
    if millis.abs() > MAX_MILLIS {
        f64::NAN
    } else {
        millis
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-1_000_000, -719_468, -1, 0, 1, 17_532, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn date_utc_rolls_over_like_javascript() {
        assert_eq!(
            utc(2018.0, 1.0, 31.0, 0.0, 0.0, 0.0, 0.0),
            1_520_035_200_000.0
        );
        assert_eq!(
            utc(99.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0),
            utc(1999.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
        );
        let f = fields(1_521_801_216_617.0);
        assert_eq!(
            (f.year, f.month, f.day, f.hour, f.weekday),
            (2018.0, 2.0, 23.0, 10.0, 5.0)
        );
    }
}
