//! Matched date text → seconds since the epoch, as fail2ban 1.0.2's
//! `reGroupDictStrptime`, `DateEpoch.getDate` and `DateTai64n.getDate` do.

use jiff::civil;
use jiff::tz::{AmbiguousOffset, TimeZone};

/// Why a matched date could not be converted.
#[derive(Clone, Debug, PartialEq)]
pub enum ConvError {
    /// Python raised `ValueError`: fail2ban logs "findFailure failed to parse
    /// timeText" and treats the line as having no date.
    Invalid,
    /// Python raised something else (`KeyError` for an unknown zone name,
    /// `TypeError` for a month without a day, …), which escapes fail2ban's
    /// date code: fail2ban-regex dies with a traceback, the daemon logs
    /// "Failed to process line".  The text is Python's `str(exception)`.
    Fatal { kind: &'static str, msg: String },
}

/// A converted time: seconds, and whether Python holds it as an `int`
/// (TAI64N and explicit-zone times) rather than a `float`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Time {
    pub secs: f64,
    pub is_int: bool,
}

/// Python `repr()` of a str (enough for zone names and patterns).
pub fn py_repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

const TZ_TABLE: &[(f64, &str)] = &[
    (-12.0, "Y"),
    (-11.0, "X NUT SST"),
    (-10.0, "W CKT HAST HST TAHT TKT"),
    (-9.0, "V AKST GAMT GIT HADT HNY"),
    (-8.0, "U AKDT CIST HAY HNP PST PT"),
    (-7.0, "T HAP HNR MST PDT"),
    (-6.0, "S CST EAST GALT HAR HNC MDT"),
    (-5.0, "R CDT COT EASST ECT EST ET HAC HNE PET"),
    (-4.0, "Q AST BOT CLT COST EDT FKT GYT HAE HNA PYT"),
    (
        -3.0,
        "P ADT ART BRT CLST FKST GFT HAA PMST PYST SRT UYT WGT",
    ),
    (-2.0, "O BRST FNT PMDT UYST WGST"),
    (-1.0, "N AZOT CVT EGT"),
    (0.0, "Z EGST GMT UTC WET WT"),
    (1.0, "A CET DFT WAT WEDT WEST"),
    (2.0, "B CAT CEDT CEST EET SAST WAST"),
    (3.0, "C EAT EEDT EEST IDT MSK"),
    (4.0, "D AMT AZT GET GST KUYT MSD MUT RET SAMT SCT"),
    (
        5.0,
        "E AMST AQTT AZST HMT MAWT MVT PKT TFT TJT TMT UZT YEKT",
    ),
    (6.0, "F ALMT BIOT BTT IOT KGT NOVT OMST YEKST"),
    (7.0, "G CXT DAVT HOVT ICT KRAT NOVST OMSST THA WIB"),
    (
        8.0,
        "H ACT AWST BDT BNT CAST HKT IRKT KRAST MYT PHT SGT ULAT WITA WST",
    ),
    (9.0, "I AWDT IRKST JST KST PWT TLT WDT WIT YAKT"),
    (10.0, "K AEST ChST PGT VLAT YAKST YAPT"),
    (11.0, "L AEDT LHDT MAGT NCT PONT SBT VLAST VUT"),
    (
        12.0,
        "M ANAST ANAT FJT GILT MAGST MHT NZST PETST PETT TVT WFT",
    ),
    (13.0, "FJST NZDT"),
    (11.5, "NFT"),
    (10.5, "ACDT LHST"),
    (9.5, "ACST"),
    (6.5, "CCT MMT"),
    (5.75, "NPT"),
    (5.5, "SLT"),
    (4.5, "AFT IRDT"),
    (3.5, "IRST"),
    (-2.5, "HAT NDT"),
    (-3.5, "HNT NST NT"),
    (-4.5, "HLV VET"),
    (-9.5, "MART MIT"),
];

/// Offset in minutes of a zone abbreviation (later table lines win, as in
/// fail2ban's dict).
fn abbr_offset(abbr: &str) -> Option<i64> {
    let mut r = None;
    for (off, names) in TZ_TABLE {
        if names.split(' ').any(|n| n == abbr) {
            r = Some((off * 60.0) as i64);
        }
    }
    r
}

/// fail2ban's `FIXED_OFFSET_TZ_RE.match(s)`:
/// `([A-Z](?:[A-Z]{2,4})?)?([+-][01]\d(?::?\d{2})?)?$`.
fn split_zone(s: &str) -> Option<(Option<&str>, Option<&str>)> {
    let b = s.as_bytes();
    let upper = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let mut abbr_lens: Vec<usize> = Vec::new();
    if upper >= 1 {
        for n in [4, 3, 2] {
            if upper > n {
                abbr_lens.push(n + 1);
            }
        }
        abbr_lens.push(1);
    }
    abbr_lens.push(0);
    let at_end = |i: usize| i == b.len() || (i + 1 == b.len() && b[i] == b'\n');
    let dig = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    for a in abbr_lens {
        let mut offs: Vec<usize> = Vec::new();
        let o = a;
        if matches!(b.get(o), Some(b'+' | b'-'))
            && matches!(b.get(o + 1), Some(b'0' | b'1'))
            && dig(o + 2)
        {
            if b.get(o + 3) == Some(&b':') && dig(o + 4) && dig(o + 5) {
                offs.push(6);
            }
            if dig(o + 3) && dig(o + 4) {
                offs.push(5);
            }
            offs.push(3);
        }
        offs.push(0);
        for l in offs {
            if at_end(o + l) {
                let abbr = (a > 0).then(|| &s[..a]);
                let off = (l > 0).then(|| &s[o..o + l]);
                return Some((abbr, off));
            }
        }
    }
    None
}

/// fail2ban's `validateTimeZone`/`zone2offset` for a zone string: minutes
/// east of UTC.
pub fn zone_offset(s: &str) -> Result<i64, ConvError> {
    let Some((abbr, off)) = split_zone(s) else {
        return Err(ConvError::Invalid);
    };
    let base = match abbr {
        None => 0,
        Some(a) => abbr_offset(a).ok_or_else(|| ConvError::Fatal {
            kind: "KeyError",
            msg: py_repr(a),
        })?,
    };
    let Some(o) = off else { return Ok(base) };
    let b = o.as_bytes();
    let num = |r: std::ops::Range<usize>| o[r].parse::<i64>().unwrap_or(0);
    let sign = if b[0] == b'-' { -1 } else { 1 };
    Ok(if b.len() <= 3 {
        base + sign * num(1..3) * 60
    } else if b[3] != b':' {
        base + sign * (num(1..3) * 60 + num(3..5))
    } else {
        base + sign * (num(1..3) * 60 + num(4..6))
    })
}

/// A default zone for lines without one (`logtimezone` / `--timezone`).
#[derive(Clone, Debug, PartialEq)]
pub struct TzSpec {
    pub text: String,
    /// Minutes east of UTC.
    pub offset_min: i64,
}

impl TzSpec {
    /// Validate like fail2ban; the error is what fail2ban-regex prints after
    /// `ERROR: ` (`Unknown or unsupported time zone: 'foo'`, or `'XYZ'` for
    /// an unknown abbreviation).
    pub fn parse(s: &str) -> Result<TzSpec, String> {
        match zone_offset(s) {
            Ok(m) => Ok(TzSpec {
                text: s.to_string(),
                offset_min: m,
            }),
            Err(ConvError::Invalid) => {
                Err(format!("Unknown or unsupported time zone: {}", py_repr(s)))
            }
            Err(ConvError::Fatal { msg, .. }) => Err(msg),
        }
    }
}

/// "now" as fail2ban's `MyTime.now()` sees it: a naive local datetime.
#[derive(Clone, Debug)]
pub struct Now {
    pub secs: f64,
    /// Local wall clock of `secs` as naive seconds since 1970-01-01.
    naive: f64,
    year: i64,
    month: i64,
    day: i64,
}

impl Now {
    pub fn new(secs: f64, tz: &TimeZone) -> Now {
        let whole = secs.floor();
        let ts = jiff::Timestamp::from_second(whole as i64).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let off = tz.to_offset(ts).seconds() as f64;
        let dt = tz.to_datetime(ts);
        // datetime.fromtimestamp keeps microseconds
        let micros = ((secs - whole) * 1e6).round() / 1e6;
        Now {
            secs,
            naive: whole + off + micros,
            year: dt.year() as i64,
            month: dt.month() as i64,
            day: dt.day() as i64,
        }
    }
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Python ordinal (0001-01-01 = 1) ↔ days since the epoch.
const ORD_EPOCH: i64 = 719163;

fn valid_date(y: i64, m: i64, d: i64) -> bool {
    (1..=9999).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

/// Python `int()` of a matched digit string (ASCII digits only).
fn int(s: &str) -> Result<i64, ConvError> {
    s.trim().parse::<i64>().map_err(|_| ConvError::Invalid)
}

const A_MONTH: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const F_MONTH: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const A_WEEKDAY: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const F_WEEKDAY: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn index_of(list: &[&str], v: &str) -> Result<i64, ConvError> {
    let v = v.to_lowercase();
    list.iter()
        .position(|x| *x == v)
        .map(|p| p as i64)
        .ok_or(ConvError::Invalid)
}

/// Inputs of one strptime-style conversion.
pub struct Ctx<'a> {
    pub now: &'a Now,
    pub local: &'a TimeZone,
    pub default_tz: Option<i64>,
}

/// `reGroupDictStrptime`: `groups` are (name, text) of the participating
/// named groups in the regex's group order.
pub fn strptime_groups<'t>(
    groups: impl Iterator<Item = (&'t str, &'t str)> + Clone,
    ctx: &Ctx,
) -> Result<Time, ConvError> {
    let (mut year, mut month, mut day): (Option<i64>, Option<i64>, Option<i64>) =
        (None, None, None);
    let (mut hour, mut minute, mut second) = (0i64, 0i64, 0i64);
    let mut tzoffset: Option<i64> = None;
    let (mut weekday, mut julian, mut week_of_year): (Option<i64>, Option<i64>, Option<i64>) =
        (None, None, None);
    let mut week_starts_mon = false;
    for (key, val) in groups.clone() {
        match key {
            "y" => {
                let mut y = int(val)?;
                if y <= 2000 {
                    y += 2000;
                }
                year = Some(y);
            }
            "Y" => year = Some(int(val)?),
            "m" => month = Some(int(val)?),
            "B" => month = Some(index_of(&F_MONTH, val)? + 1),
            "b" => month = Some(index_of(&A_MONTH, val)? + 1),
            "d" => day = Some(int(val)?),
            "H" => hour = int(val)?,
            "I" => {
                hour = int(val)?;
                let ampm = groups
                    .clone()
                    .find(|(k, _)| *k == "p")
                    .map(|(_, v)| v.to_lowercase())
                    .unwrap_or_default();
                if ampm.is_empty() || ampm == "am" {
                    if hour == 12 {
                        hour = 0;
                    }
                } else if ampm == "pm" && hour != 12 {
                    hour += 12;
                }
            }
            "M" => minute = int(val)?,
            "S" => second = int(val)?,
            "A" => weekday = Some(index_of(&F_WEEKDAY, val)?),
            "a" => weekday = Some(index_of(&A_WEEKDAY, val)?),
            "w" => {
                let mut w = int(val)? - 1;
                if w < 0 {
                    w = 6;
                }
                weekday = Some(w);
            }
            "j" => julian = Some(int(val)?),
            "U" | "W" => {
                week_of_year = Some(int(val)?);
                week_starts_mon = key == "W";
            }
            "z" | "Z" => {
                tzoffset = Some(if matches!(val, "Z" | "UTC" | "GMT") {
                    0
                } else {
                    zone_offset(val)?
                });
            }
            _ => {}
        }
    }
    let now = ctx.now;
    let mut assume_year = false;
    let year = match year {
        Some(y) => y,
        None => {
            assume_year = true;
            now.year
        }
    };
    let mut year = year;
    if month.is_none() || day.is_none() {
        if julian.is_none() {
            if let (Some(woy), Some(wd)) = (week_of_year, weekday) {
                if !valid_date(year, 1, 1) {
                    return Err(ConvError::Invalid);
                }
                let jan1 = days_from_civil(year, 1, 1);
                let mut first = (jan1 + 3).rem_euclid(7); // Monday = 0
                let mut dow = wd;
                if !week_starts_mon {
                    first = (first + 1) % 7;
                    dow = (dow + 1) % 7;
                }
                let week0 = (7 - first) % 7;
                julian = Some(if woy == 0 {
                    1 + dow - first
                } else {
                    1 + week0 + 7 * (woy - 1) + dow
                });
            }
        }
        if let Some(j) = julian {
            if !valid_date(year, 1, 1) {
                return Err(ConvError::Invalid);
            }
            let days = j - 1 + days_from_civil(year, 1, 1);
            if days + ORD_EPOCH < 1 {
                return Err(ConvError::Invalid);
            }
            let (y, m, d) = civil_from_days(days);
            if !(1..=9999).contains(&y) {
                return Err(ConvError::Invalid);
            }
            year = y;
            month = Some(m);
            day = Some(d);
        }
    }
    let mut assume_today = false;
    if month.is_none() && day.is_none() {
        month = Some(now.month);
        day = Some(now.day);
        assume_today = true;
    }
    let (Some(month), Some(day)) = (month, day) else {
        return Err(ConvError::Fatal {
            kind: "TypeError",
            msg: "'NoneType' object cannot be interpreted as an integer".into(),
        });
    };
    if !valid_date(year, month, day)
        || !(0..24).contains(&hour)
        || !(0..60).contains(&minute)
        || !(0..60).contains(&second)
    {
        return Err(ConvError::Invalid);
    }
    let tod = hour * 3600 + minute * 60 + second;
    let mut naive = days_from_civil(year, month, day) * 86400 + tod;
    if tzoffset.is_none() {
        tzoffset = ctx.default_tz;
    }
    if let Some(off) = tzoffset {
        naive -= off * 60;
    }
    if assume_today && naive as f64 > now.naive {
        naive -= 86400;
    }
    if assume_year && naive as f64 > now.naive + 86400.0 {
        // replace(year=year-1, month=month, day=day), keeping the time of day
        if !valid_date(year - 1, month, day) {
            return Err(ConvError::Invalid);
        }
        naive = days_from_civil(year - 1, month, day) * 86400 + naive.rem_euclid(86400);
    }
    if tzoffset.is_some() {
        return Ok(Time {
            secs: naive as f64,
            is_int: true,
        });
    }
    let days = naive.div_euclid(86400);
    let tod = naive.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    let dt = civil::DateTime::new(
        y as i16,
        m as i8,
        d as i8,
        (tod / 3600) as i8,
        (tod / 60 % 60) as i8,
        (tod % 60) as i8,
        0,
    )
    .map_err(|_| ConvError::Invalid)?;
    let off = match ctx.local.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset,
        // mktime with tm_isdst=-1: a time in a gap is read with the offset
        // before the gap, a repeated time as the later of the two instants.
        AmbiguousOffset::Gap { before, .. } => before,
        AmbiguousOffset::Fold { after, .. } => after,
    };
    Ok(Time {
        secs: (naive - off.seconds() as i64) as f64,
        is_int: false,
    })
}

/// `DateEpoch.getDate` on the date group text.
pub fn epoch(v: &str, long: bool) -> Result<Time, ConvError> {
    let n = v.chars().count();
    let x: f64 = v.parse().map_err(|_| ConvError::Invalid)?;
    let secs = if long && n >= 13 {
        if n >= 16 && !v.contains('.') {
            x / 1_000_000.0
        } else {
            x / 1000.0
        }
    } else {
        x
    };
    Ok(Time {
        secs,
        is_int: false,
    })
}

/// `DateTai64n.getDate`: hex digits 2..17 of the label.
pub fn tai64n(v: &str) -> Result<Time, ConvError> {
    let hex: String = v.chars().skip(2).take(15).collect();
    let n = u64::from_str_radix(&hex, 16).map_err(|_| ConvError::Invalid)?;
    Ok(Time {
        secs: n as f64,
        is_int: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones() {
        assert_eq!(zone_offset("UTC+0200"), Ok(120));
        assert_eq!(zone_offset("CET"), Ok(60));
        assert_eq!(zone_offset("-0400"), Ok(-240));
        assert_eq!(zone_offset("+02:30"), Ok(150));
        assert_eq!(zone_offset("-05"), Ok(-300));
        assert_eq!(zone_offset("NPT"), Ok(345));
        assert_eq!(zone_offset("foo"), Err(ConvError::Invalid));
        assert_eq!(TzSpec::parse("XYZ+01").unwrap_err(), "'XYZ'");
        assert_eq!(
            TzSpec::parse("foo").unwrap_err(),
            "Unknown or unsupported time zone: 'foo'"
        );
        assert_eq!(zone_offset(""), Ok(0));
    }

    #[test]
    fn civil_roundtrip() {
        for d in [-800000, -1, 0, 1, 11000, 2932896] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }
}
