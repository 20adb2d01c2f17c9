//! `-q`/`-v`: log lines on stderr through `tracing`, the library's and
//! its network clients' (librqbit and octocrab log through it too).

use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

use weightcheck::env::Env;

/// The crates whose logs `-vv` adds to weightcheck's own.
const CLIENTS: [&str; 2] = ["librqbit", "octocrab"];

/// What is logged for `-v` given `verbose` times (or `-q`): warnings by
/// default, errors with `-q`; `-v` weightcheck's steps, `-vv` its details
/// and the clients', `-vvv` everything, dependencies included.
fn targets(quiet: bool, verbose: u8) -> Targets {
    let own = match (quiet, verbose) {
        (true, _) => LevelFilter::ERROR,
        (false, 0) => LevelFilter::WARN,
        (false, 1) => LevelFilter::INFO,
        (false, 2) => LevelFilter::DEBUG,
        (false, _) => LevelFilter::TRACE,
    };
    let mut targets = Targets::new().with_target("weightcheck", own);
    if verbose >= 2 {
        for client in CLIENTS {
            targets = targets.with_target(client, own);
        }
    }
    if verbose >= 3 {
        targets = targets.with_default(LevelFilter::TRACE);
    }
    targets
}

/// Installs the process's log subscriber, once: `RUST_LOG` (targets such as
/// `librqbit=debug,weightcheck=trace`) replaces what -q/-v chose. A second
/// call (tests run many commands in one process) keeps the first.
pub(super) fn init(env: &Env) {
    let targets = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| targets(env.quiet, env.verbose));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(env.err_colors())
        .with_timer(tracing_subscriber::fmt::time::uptime());
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(targets))
        .try_init();
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    use super::*;

    #[test]
    fn each_v_adds_detail_and_the_clients_come_at_two() {
        let enabled = |q, v, target, level| targets(q, v).would_enable(target, &level);
        assert!(enabled(false, 0, "weightcheck::hash", Level::WARN));
        assert!(!enabled(false, 0, "weightcheck::hash", Level::INFO));
        assert!(!enabled(true, 0, "weightcheck::hash", Level::WARN));
        assert!(enabled(false, 1, "weightcheck::hash", Level::INFO));
        assert!(!enabled(false, 1, "librqbit::session", Level::INFO));
        assert!(enabled(false, 2, "librqbit_core::x", Level::DEBUG));
        assert!(enabled(false, 2, "octocrab", Level::DEBUG));
        assert!(!enabled(false, 2, "hyper", Level::DEBUG));
        assert!(enabled(false, 3, "hyper", Level::TRACE));
    }
}
