//! Numbers as people read them: byte sizes, counts with digit groups,
//! parameter counts. Every printer formats through here, so one figure is
//! spelled the same way in verify, hash, fetch and the report.

use std::fmt;
use std::str::FromStr;

/// A byte count. `Display` uses decimal units (`318.2 GB`, as hubs and
/// torrent sites print sizes), one decimal unless the formatter asks for
/// another precision (`{:.2}`). It is the only unit system printed: bars,
/// disk space and rates use it too (binary suffixes are only read, in
/// `16M`-style arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Bytes(pub u64);

fn scaled(n: u64, step: f64, units: &[&str], precision: usize) -> String {
    let mut v = n as f64;
    let mut unit = 0;
    while v >= step && unit + 1 < units.len() {
        v /= step;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.precision$} {}", units[unit])
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not `pad`: it would read the precision as a maximum width.
        let precision = f.precision().unwrap_or(1);
        let text = scaled(
            self.0,
            1000.0,
            &["B", "kB", "MB", "GB", "TB", "PB"],
            precision,
        );
        match f.width() {
            Some(w) => write!(f, "{text:>w$}"),
            None => f.write_str(&text),
        }
    }
}

/// Parses `16M`, `16MiB`, `256k`, `1G` or a plain byte count (binary
/// multiples: these are buffer and piece sizes).
impl FromStr for Bytes {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (digits, suffix) = t.split_at(split);
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("{s:?} is not a byte count"))?;
        let shift = match suffix.to_ascii_lowercase().as_str() {
            "" | "b" => 0,
            "k" | "kib" => 10,
            "m" | "mib" => 20,
            "g" | "gib" => 30,
            _ => return Err(format!("{s:?}: unknown unit {suffix:?} (use K, M or G)")),
        };
        n.checked_shl(shift)
            .filter(|v| v >> shift == n)
            .map(Bytes)
            .ok_or_else(|| format!("{s:?} is too large"))
    }
}

/// A count with its noun, digits grouped: `1 file`, `1,000 files`. The
/// plural is the noun with `s`, which every noun counted here takes.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(n))
    }
}

/// Groups digits in threes: 315684820992 → `315,684,820,992`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A parameter count for people: `315.7B`, `3.4M`.
pub fn human_count(n: u64) -> String {
    let v = n as f64;
    if v >= 1e9 {
        format!("{:.1}B", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else {
        n.to_string()
    }
}

/// A claimed value (a float in manifests): whole numbers grouped in threes.
pub fn claimed(v: f64) -> String {
    if v.fract() == 0.0 && (0.0..1.8e19).contains(&v) {
        thousands(v as u64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_counts_and_claims() {
        assert_eq!(Bytes(318_239_886_140).to_string(), "318.2 GB");
        assert_eq!(format!("{:.2}", Bytes(8_070_000_000)), "8.07 GB");
        assert_eq!(Bytes(999).to_string(), "999 B");
        assert_eq!(thousands(315_684_820_992), "315,684,820,992");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(human_count(83_756_587_008), "83.8B");
        assert_eq!(claimed(86e9), "86,000,000,000");
        assert_eq!(claimed(0.5), "0.5");
    }

    #[test]
    fn byte_counts_parse() {
        assert_eq!("16M".parse(), Ok(Bytes(16 << 20)));
        assert_eq!("16MiB".parse(), Ok(Bytes(16 << 20)));
        assert_eq!("256k".parse(), Ok(Bytes(256 << 10)));
        assert_eq!("4096".parse(), Ok(Bytes(4096)));
        assert!("16Q".parse::<Bytes>().is_err());
        assert!("99999999999999G".parse::<Bytes>().is_err());
    }
}
