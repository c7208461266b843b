//! A line evaluated ahead of time, on another thread, for a caller that
//! only needs the failure ids (the audit's ban engine).
//!
//! The evaluation of a one-line filter depends on the line and on where
//! its date is cut, not on the order of lines; only the cut of a line
//! without a usable date depends on the lines before (fail2ban then puts
//! the last date text in the tuple, leaving the text the regexes see
//! unchanged). So a worker can evaluate a line from the date detector's
//! verdict alone, and the ordered caller checks with [`Verdict::applies`]
//! that its own preparation cut the line the same way.

use super::ipaddr::IpAddr;
use super::matcher::{DateFound, Filter, Prepared, Split};

/// The failure ids of one line, evaluated ahead.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// The date cut assumed: `Some((start, end))`, or `None` for the whole
    /// line.
    cut: Option<(usize, usize)>,
    /// One entry per failure, in order (`None`: a multi-line failure
    /// still waiting for its id).
    pub fids: Vec<Option<IpAddr>>,
    /// Host names left unresolved during this evaluation.
    pub dns_suppressed: u64,
}

impl Verdict {
    /// Whether the ordered preparation of the line gives the text the
    /// verdict was computed on.
    pub fn applies(&self, prepared: &Prepared) -> bool {
        match (&prepared.split, self.cut) {
            (Split::Cut { start, end }, Some(cut)) => (*start, *end) == cut,
            (Split::Whole | Split::Replaced(_), None) => true,
            _ => false,
        }
    }
}

impl Filter {
    /// Evaluates `line` with the cut its date verdict implies, without
    /// touching the filter's last-date state. `None` when the cut depends
    /// on the lines before (a date that could not be converted, or an
    /// empty date) or when the filter is not order independent.
    pub fn speculate(&mut self, line: &str, date: DateFound) -> Option<Verdict> {
        if !self.order_independent() {
            return None;
        }
        let (split, cut) = match date {
            DateFound::Match {
                start,
                end,
                time: Some(_),
            } if end > start => (Split::Cut { start, end }, Some((start, end))),
            DateFound::NoMatch => (Split::Whole, None),
            DateFound::Match { .. } => return None,
        };
        let before = self.dns_suppressed;
        let result = self.evaluate(line, &Prepared { split, time: None });
        Some(Verdict {
            cut,
            fids: result.failures.into_iter().map(|f| f.fid).collect(),
            dns_suppressed: self.dns_suppressed - before,
        })
    }
}
