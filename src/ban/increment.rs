//! `bantime.increment`: the ban history fail2ban keeps in its database
//! (`bips`: the latest ban per id and jail), the hourly purge, the ban time
//! formula and the extra weight of failures from known bad ids.

use super::expr::{Env, Expr, py_add, py_max, py_min, py_mul};
use super::ids::IpId;
use crate::config::timestr::Seconds;
use rustc_hash::FxHashMap;

/// The `bantime.*` options of a jail.
#[derive(Clone, Debug)]
pub struct Increment {
    pub enabled: bool,
    pub overall_jails: bool,
    /// `eval(factor)`.
    pub factor: Seconds,
    pub multipliers: Vec<i64>,
    pub formula: Expr,
    pub max_time: Option<Seconds>,
    pub rnd_time: Option<Seconds>,
}

/// fail2ban's default `bantime.formula`.
pub const DEFAULT_FORMULA: &str = "ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor";

impl Default for Increment {
    fn default() -> Self {
        Increment {
            enabled: false,
            overall_jails: false,
            factor: Seconds::Int(1),
            multipliers: Vec::new(),
            formula: Expr::parse(DEFAULT_FORMULA).expect("default formula"),
            max_time: None,
            rnd_time: None,
        }
    }
}

impl Increment {
    /// The jail's `evformula(ban)`: the ban time of the `count`+1-th ban.
    pub fn ban_time(
        &self,
        ban_time: Seconds,
        count: i64,
        rng: &mut PyRandom,
    ) -> Result<Seconds, String> {
        let mut t = if !self.multipliers.is_empty() {
            let idx = if (count as usize) < self.multipliers.len() && count >= 0 {
                count as usize
            } else {
                self.multipliers.len() - 1
            };
            py_mul(
                py_mul(ban_time, self.factor)?,
                Seconds::Int(self.multipliers[idx] as i128),
            )?
        } else {
            let env = Env {
                ban_time,
                ban_count: count,
                ban_factor: self.factor,
            };
            py_max(ban_time, self.formula.eval(&env)?)
        };
        if let Some(m) = self.max_time {
            t = py_min(t, m);
        }
        if let Some(r) = self.rnd_time {
            t = py_add(t, Seconds::Float(rng.random() * r.as_f64()))?;
        }
        Ok(t)
    }
}

/// One `bips` row.
#[derive(Clone, Copy, Debug)]
pub struct BipRow {
    pub time_of_ban: i64,
    pub ban_time: Seconds,
    pub ban_count: i64,
}

/// The ban history (`bips`) by id, then jail index.
pub struct BanDb {
    rows: FxHashMap<IpId, Vec<(u16, BipRow)>>,
    /// `dbpurgeage` in seconds.
    pub purge_age: f64,
}

impl BanDb {
    pub fn new(purge_age: f64) -> BanDb {
        BanDb {
            rows: FxHashMap::default(),
            purge_age,
        }
    }

    /// `getBan(ip, jail)` or, with `overall`, summed over all jails
    /// (`sum(bancount), max(timeofban)`).
    pub fn get(&self, ip: IpId, jail: u16, overall: bool) -> Option<(i64, i64)> {
        let rows = self.rows.get(&ip)?;
        if overall {
            if rows.is_empty() {
                return None;
            }
            let count = rows.iter().map(|(_, r)| r.ban_count).sum();
            let time = rows.iter().map(|(_, r)| r.time_of_ban).max()?;
            Some((count, time))
        } else {
            rows.iter()
                .find(|(j, _)| *j == jail)
                .map(|(_, r)| (r.ban_count, r.time_of_ban))
        }
    }

    /// `addBan`: the latest ban of `ip` in `jail`.
    pub fn add(&mut self, ip: IpId, jail: u16, row: BipRow) {
        let rows = self.rows.entry(ip).or_default();
        match rows.iter_mut().find(|(j, _)| *j == jail) {
            Some(r) => r.1 = row,
            None => rows.push((jail, row)),
        }
    }

    /// `purge()` at `now`: forgets bans older than the purge age whose
    /// three-fold ban time has also passed (never permanent ones).
    pub fn purge(&mut self, now: f64) {
        let limit = (now.trunc() as i64) as f64 - self.purge_age;
        self.rows.retain(|_, rows| {
            rows.retain(|(_, r)| {
                let tob = r.time_of_ban as f64;
                let bt = r.ban_time.as_f64();
                !(tob < limit && bt != -1.0 && tob + bt * 3.0 < limit)
            });
            !rows.is_empty()
        });
    }
}

/// `(1 << min(n, 20)) / 2 + 1`, capped at `max_retry`: how much one failure
/// of an id banned `n` times counts.
pub fn bad_ip_weight(ban_count: i64, max_retry: i64) -> f64 {
    let n = ban_count.clamp(0, 20) as u32;
    let w = (1u64 << n) as f64 / 2.0 + 1.0;
    w.min(max_retry as f64)
}

/// Python's `random` module generator (MT19937): `seed(n)` and
/// `random()` give the same numbers as CPython, so `bantime.rndtime`
/// draws what the oracle draws with the same seed.
pub struct PyRandom {
    mt: [u32; 624],
    idx: usize,
}

impl PyRandom {
    /// `random.seed(n)` for a non-negative int.
    pub fn new(seed: u64) -> PyRandom {
        let mut r = PyRandom {
            mt: [0; 624],
            idx: 624,
        };
        let mut key: Vec<u32> = Vec::new();
        let mut s = seed;
        while s > 0 {
            key.push(s as u32);
            s >>= 32;
        }
        if key.is_empty() {
            key.push(0);
        }
        r.init_by_array(&key);
        r
    }

    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..624 {
            let prev = self.mt[i - 1];
            self.mt[i] = 1812433253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.idx = 624;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19650218);
        let (mut i, mut j) = (1usize, 0usize);
        let n = 624;
        let mut k = n.max(key.len());
        while k > 0 {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1664525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= n {
                self.mt[0] = self.mt[n - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
            k -= 1;
        }
        k = n - 1;
        while k > 0 {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1566083941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= n {
                self.mt[0] = self.mt[n - 1];
                i = 1;
            }
            k -= 1;
        }
        self.mt[0] = 0x8000_0000;
    }

    fn next_u32(&mut self) -> u32 {
        if self.idx >= 624 {
            for i in 0..624 {
                let y = (self.mt[i] & 0x8000_0000) | (self.mt[(i + 1) % 624] & 0x7fff_ffff);
                let mut v = self.mt[(i + 397) % 624] ^ (y >> 1);
                if y & 1 != 0 {
                    v ^= 0x9908_b0df;
                }
                self.mt[i] = v;
            }
            self.idx = 0;
        }
        let mut y = self.mt[self.idx];
        self.idx += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// `random.random()`.
    pub fn random(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_random_sequence() {
        // python3 -c 'import random; random.seed(0); print(random.random(), random.random())'
        let mut r = PyRandom::new(0);
        assert_eq!(r.random(), 0.8444218515250481);
        assert_eq!(r.random(), 0.7579544029403025);
        let mut r = PyRandom::new(42);
        assert_eq!(r.random(), 0.6394267984578837);
    }

    #[test]
    fn weights() {
        assert_eq!(bad_ip_weight(1, 10), 2.0);
        assert_eq!(bad_ip_weight(3, 10), 5.0);
        assert_eq!(bad_ip_weight(5, 10), 10.0);
    }

    #[test]
    fn default_increment() {
        let inc = Increment::default();
        let mut rng = PyRandom::new(0);
        assert_eq!(
            inc.ban_time(Seconds::Int(3600), 2, &mut rng).unwrap(),
            Seconds::Int(14400)
        );
    }
}
