//! The lines fail2ban writes to its own log (`logtarget` file), as the
//! replay synthesizes them for recidive-style jails:
//! `%(asctime)s %(name)-24s[%(process)d]: %(levelname)-7s %(message)s`
//! with the simulated time and process id 4242, plus fail2ban's duration
//! (`seconds2str`) and date (`time2str`) texts used inside messages.

use jiff::tz::TimeZone;

/// The process id in synthesized lines.
pub const FAKE_PID: u32 = 4242;

/// Log levels as Python's `logging` numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 10,
    Info = 20,
    Notice = 25,
    Warning = 30,
    Error = 40,
    Critical = 50,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Notice => "NOTICE",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
        }
    }
}

/// `str2LogLevel` for the values a `loglevel` setting can have; `None`
/// for unknown ones (the oracle then uses INFO).
pub fn parse_level(value: &str) -> Option<u32> {
    let v = value.trim();
    if let Ok(n) = v.parse::<u32>() {
        return Some(n);
    }
    Some(match v.to_ascii_uppercase().as_str() {
        "CRITICAL" | "FATAL" => 50,
        "ERROR" => 40,
        "WARNING" | "WARN" => 30,
        "NOTICE" => 25,
        "INFO" => 20,
        "MSG" => 18,
        "DEBUG" => 10,
        "TRACEDEBUG" => 7,
        "HEAVYDEBUG" => 5,
        _ => return None,
    })
}

/// How fail2ban formats its log file lines (`logtarget` options
/// `datetime` and `padding`).
#[derive(Clone, Debug)]
pub struct LogFormat {
    pub tz: TimeZone,
    pub datetime: bool,
    pub padding: bool,
}

impl LogFormat {
    /// One line of logger `fail2ban.<module>` at `level`, logged at `t`.
    pub fn line(&self, t: f64, module: &str, level: Level, msg: &str, out: &mut String) {
        use std::fmt::Write;
        out.clear();
        if self.datetime {
            let secs = t.floor();
            let msecs = ((t - t.trunc()) * 1000.0) as i64;
            out.push_str(&local(&self.tz, secs as i64, "%Y-%m-%d %H:%M:%S"));
            let _ = write!(out, ",{msecs:03} ");
        }
        let name = format!("fail2ban.{module}");
        if self.padding {
            let _ = write!(out, "{name:<24}[{FAKE_PID}]: {:<7} {msg}", level.name());
        } else {
            let _ = write!(out, "{name}[{FAKE_PID}]: {} {msg}", level.name());
        }
    }
}

fn local(tz: &TimeZone, secs: i64, fmt: &str) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(ts) => tz.to_datetime(ts).strftime(fmt).to_string(),
        Err(_) => String::from("9999-12-31 23:59:59"),
    }
}

/// `MyTime.time2str(t)`: local date and time without fraction.
pub fn time2str(tz: &TimeZone, t: f64) -> String {
    if t >= 253402214400.0 {
        return "9999-12-31 23:59:59".into();
    }
    let micros = (t * 1e6).round_ties_even();
    let secs = (micros / 1e6).floor() as i64;
    local(tz, secs, "%Y-%m-%d %H:%M:%S")
}

/// `MyTime.seconds2str(s)`: `2d 7h 15m`, `1w 3d`, `59m 50s`, `0`.
pub fn seconds2str(sec: f64, is_float: bool) -> String {
    let round = |v: f64| v.round_ties_even() as i64;
    let mut r = String::new();
    if sec >= 31536000.0 {
        let mut s = round(sec / 86400.0);
        r += &format!("{}y ", s / 365);
        s %= 365;
        if s >= 7 {
            r += &format!("{}w ", s / 7);
            s %= 7;
        }
        if s != 0 {
            r += &format!("{s}d ");
        }
    } else if sec >= 604800.0 {
        let mut s = round(sec / 3600.0);
        r += &format!("{}w ", s / 168);
        s %= 168;
        if s >= 24 {
            r += &format!("{}d ", s / 24);
            s %= 24;
        }
        if s != 0 {
            r += &format!("{s}h ");
        }
    } else if sec >= 86400.0 {
        let mut s = round(sec / 60.0);
        r += &format!("{}d ", s / 1440);
        s %= 1440;
        if s >= 60 {
            r += &format!("{}h ", s / 60);
            s %= 60;
        }
        if s != 0 {
            r += &format!("{s}m ");
        }
    } else if sec >= 3595.0 {
        let mut s = round(sec / 10.0);
        r += &format!("{}h ", s / 360);
        s %= 360;
        if s >= 6 {
            r += &format!("{}m ", s / 6);
        }
    } else if is_float {
        let mut s = sec;
        if s >= 60.0 {
            r += &format!("{}m ", crate::pyfmt::float_repr((s / 60.0).floor()));
            s = s.rem_euclid(60.0);
        }
        if s != 0.0 {
            r += &format!("{}s ", crate::pyfmt::float_repr(s));
        } else if sec == 0.0 {
            r = "0 ".into();
        }
    } else {
        let mut s = sec as i64;
        if s >= 60 {
            r += &format!("{}m ", s / 60);
            s %= 60;
        }
        if s != 0 {
            r += &format!("{s}s ");
        } else if sec == 0.0 {
            r = "0 ".into();
        }
    }
    r.pop();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(seconds2str(86400.0 * 390.0, false), "1y 3w 4d");
        assert_eq!(seconds2str(86400.0 * 368.0, false), "1y 3d");
        assert_eq!(seconds2str(86400.0 * 365.5, false), "1y 1d");
        assert_eq!(seconds2str(59.5, true), "59.5s");
        assert_eq!(seconds2str(61.0, true), "1.0m 1.0s");
        assert_eq!(seconds2str(3594.0, true), "59.0m 54.0s");
        assert_eq!(
            seconds2str(86400.0 * 2.0 + 3600.0 * 7.0 + 60.0 * 15.0, false),
            "2d 7h 15m"
        );
        assert_eq!(seconds2str(86400.0 * 2.0 + 3599.0, false), "2d 1h");
        assert_eq!(seconds2str(3600.0 - 5.0, false), "1h");
        assert_eq!(seconds2str(3600.0 - 10.0, false), "59m 50s");
        assert_eq!(seconds2str(59.0, false), "59s");
        assert_eq!(seconds2str(0.0, false), "0");
        assert_eq!(seconds2str(7200.0, false), "2h");
        assert_eq!(seconds2str(604800.0, false), "1w");
    }

    #[test]
    fn line_format() {
        let f = LogFormat {
            tz: TimeZone::UTC,
            datetime: true,
            padding: true,
        };
        let mut s = String::new();
        f.line(
            1709586900.0,
            "actions",
            Level::Notice,
            "[asterisk] Ban 100.64.1.2",
            &mut s,
        );
        assert_eq!(
            s,
            "2024-03-04 21:15:00,000 fail2ban.actions        [4242]: NOTICE  [asterisk] Ban 100.64.1.2"
        );
        f.line(1709586900.001, "actions", Level::Notice, "x", &mut s);
        assert!(s.starts_with("2024-03-04 21:15:00,000 "), "{s}");
    }
}
