//! Network flags shared by `fetch` and `seed` (how peers are found and
//! accepted, and rate caps), and by `hf` and `manifest pin --hf` (how the
//! Hub is reached).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use weightcheck::fetch::{self, NetOptions, PortRange};
use weightcheck::hf::api::HubOptions;

/// Network options shared by `fetch` and `seed`.
#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// Do not look for peers on the DHT.
    #[arg(long)]
    pub no_dht: bool,
    /// Do not announce to trackers.
    #[arg(long)]
    pub no_trackers: bool,
    /// Also look for peers on the local network (BEP 14 multicast).
    #[arg(long)]
    pub lsd: bool,
    /// Port, or FIRST-LAST range, to accept peers on; 0 lets the system
    /// choose [default: 6881-6889].
    #[arg(long, value_name = "PORT")]
    pub port: Option<PortRange>,
    /// Address to accept peers on [default: every interface].
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<IpAddr>,
    /// Connect to this peer (repeatable).
    #[arg(long = "peer", value_name = "HOST:PORT")]
    pub peers: Vec<String>,
    /// Upload cap in bytes per second (suffixes K, M, G: binary).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub max_upload_rate: Option<NonZeroU32>,
    /// Download cap in bytes per second (suffixes K, M, G: binary).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub max_download_rate: Option<NonZeroU32>,
}

impl NetArgs {
    /// The library's network options.
    pub fn options(&self) -> anyhow::Result<NetOptions> {
        let mut net = NetOptions {
            dht: !self.no_dht,
            lsd: self.lsd,
            trackers: !self.no_trackers,
            upload_limit: self.max_upload_rate,
            download_limit: self.max_download_rate,
            ..NetOptions::default()
        };
        if let Some(p) = self.port {
            net.port = p;
        }
        if let Some(b) = self.bind {
            net.bind = b;
        }
        for p in &self.peers {
            net.peers.push(fetch::net::parse_peer(p)?);
        }
        Ok(net)
    }

    /// What the session will use to find peers, for the user.
    pub fn describe(&self) -> String {
        let on_off = |b: bool| if b { "on" } else { "off" };
        format!(
            "DHT {}, trackers {}, local discovery {}, {} explicit peer(s)",
            on_off(!self.no_dht),
            on_off(!self.no_trackers),
            on_off(self.lsd),
            self.peers.len()
        )
    }
}

/// An environment variable's value, unless unset or blank (a token or
/// endpoint set to "" means none).
pub(super) fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// How the Hugging Face Hub is reached, shared by `hf` and `manifest pin --hf`.
#[derive(Debug, Clone, Args)]
pub struct HubArgs {
    /// The environment variable holding the token for gated or private
    /// repositories.
    #[arg(long, value_name = "NAME", default_value = "HF_TOKEN")]
    pub token_env: String,
    /// The Hub's base URL [default: HF_ENDPOINT, else https://huggingface.co].
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
}

impl HubArgs {
    /// The library's options.
    pub fn options(&self) -> HubOptions {
        HubOptions {
            endpoint: self
                .endpoint
                .clone()
                .or_else(|| non_empty_env("HF_ENDPOINT")),
            token: non_empty_env(&self.token_env),
            retries: 2,
            timeout: Duration::from_secs(30),
        }
    }
}

/// A runtime for one command's few requests.
pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// `2M` → 2 MiB/s.
fn parse_rate(s: &str) -> Result<NonZeroU32, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a rate (e.g. 500K, 10M)"))?;
    let bytes = (n * mult as f64).round();
    if !(1.0..=u32::MAX as f64).contains(&bytes) {
        return Err(format!("{s:?} must be between 1 byte/s and 4 GiB/s"));
    }
    NonZeroU32::new(bytes as u32).ok_or_else(|| format!("{s:?} is zero"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("1").map(NonZeroU32::get), Ok(1));
        assert_eq!(parse_rate("2K").map(NonZeroU32::get), Ok(2048));
        assert_eq!(parse_rate("1.5M").map(NonZeroU32::get), Ok(1_572_864));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("5G").is_err());
        assert!(parse_rate("fast").is_err());
    }
}
