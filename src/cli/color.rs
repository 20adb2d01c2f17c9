//! `--color auto|always|never`, which every command takes. The decision
//! itself (terminal, NO_COLOR) is [`ColorChoice::colors`].

use std::ffi::OsString;

use clap::ValueEnum;

use weightcheck::env::ColorChoice;

/// `--color`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Color {
    Auto,
    Always,
    Never,
}

impl From<Color> for ColorChoice {
    fn from(c: Color) -> Self {
        match c {
            Color::Auto => ColorChoice::Auto,
            Color::Always => ColorChoice::Always,
            Color::Never => ColorChoice::Never,
        }
    }
}

/// The last `--color` value in `args` (program name first), read before
/// clap parses them: help and usage errors come from a parse that failed,
/// which yields no values. A value clap will refuse counts as `auto`.
pub(super) fn color_in(args: &[OsString]) -> ColorChoice {
    let mut choice = ColorChoice::Auto;
    let mut words = args.iter().skip(1).map(|a| a.to_str());
    while let Some(word) = words.next() {
        let value = match word {
            Some("--") => break,
            Some("--color") => words.next().flatten(),
            Some(w) => w.strip_prefix("--color="),
            None => None,
        };
        if let Some(v) = value {
            choice = Color::from_str(v, false).map_or(ColorChoice::Auto, Into::into);
        }
    }
    choice
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(args: &[&str]) -> ColorChoice {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        color_in(&args)
    }

    #[test]
    fn the_choice_is_found_before_clap_parses() {
        assert_eq!(scan(&["weightcheck", "--help"]), ColorChoice::Auto);
        assert_eq!(
            scan(&["weightcheck", "--color", "never", "--help"]),
            ColorChoice::Never
        );
        assert_eq!(
            scan(&["weightcheck", "hash", "--help", "--color=always"]),
            ColorChoice::Always
        );
        assert_eq!(
            scan(&["weightcheck", "--color=never", "--color", "always"]),
            ColorChoice::Always
        );
        // After `--` it is an operand; a value clap refuses is auto.
        assert_eq!(
            scan(&["weightcheck", "inspect", "--", "--color=never"]),
            ColorChoice::Auto
        );
        assert_eq!(
            scan(&["weightcheck", "--color", "sometimes"]),
            ColorChoice::Auto
        );
        assert_eq!(scan(&["weightcheck", "--color"]), ColorChoice::Auto);
    }
}
