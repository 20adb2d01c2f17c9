//! How a BitTorrent session reaches the network: which peer sources are on
//! (DHT, local service discovery, trackers, explicit peers), where it
//! listens, and how fast it may go. UPnP port forwarding is never used:
//! weightcheck does not open holes in anyone's router.

use std::net::{IpAddr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use librqbit::dht::DhtPersistenceConfig;
use librqbit::limits::LimitsConfig;
use librqbit::{
    DhtSessionConfig, ListenerMode, ListenerOptions, Session, SessionOptions,
    SessionPersistenceConfig,
};

use super::bt_error;
use crate::{Error, Result};

/// Inclusive range of TCP ports to listen on; the first free one is used.
/// `0` lets the system pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    /// First port tried.
    pub first: u16,
    /// Last port tried.
    pub last: u16,
}

impl PortRange {
    /// One port (0: any).
    pub fn single(port: u16) -> Self {
        PortRange {
            first: port,
            last: port,
        }
    }
}

impl Default for PortRange {
    /// 6881-6889, the range BitTorrent clients traditionally use.
    fn default() -> Self {
        PortRange {
            first: 6881,
            last: 6889,
        }
    }
}

impl FromStr for PortRange {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let port = |t: &str| {
            t.trim()
                .parse::<u16>()
                .map_err(|_| format!("{t:?} is not a port number (0-65535)"))
        };
        match s.split_once('-') {
            None => Ok(PortRange::single(port(s)?)),
            Some((a, b)) => {
                let (first, last) = (port(a)?, port(b)?);
                if first == 0 || first > last {
                    return Err(format!(
                        "port range {s:?} must be FIRST-LAST with 0 < FIRST <= LAST"
                    ));
                }
                Ok(PortRange { first, last })
            }
        }
    }
}

/// Network options shared by fetch, metadata-only and seed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NetOptions {
    /// Look for peers on the mainline DHT.
    pub dht: bool,
    /// Look for peers on the local network (BEP 14 multicast).
    pub lsd: bool,
    /// Announce to the torrent's trackers.
    pub trackers: bool,
    /// Ports to listen on for incoming peers.
    pub port: PortRange,
    /// Address to listen on (`::` for every interface).
    pub bind: IpAddr,
    /// Peers to connect to directly.
    pub peers: Vec<SocketAddr>,
    /// Upload cap in bytes per second.
    pub upload_limit: Option<NonZeroU32>,
    /// Download cap in bytes per second.
    pub download_limit: Option<NonZeroU32>,
}

impl Default for NetOptions {
    fn default() -> Self {
        NetOptions {
            dht: true,
            lsd: false,
            trackers: true,
            port: PortRange::default(),
            bind: IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            peers: Vec::new(),
            upload_limit: None,
            download_limit: None,
        }
    }
}

impl NetOptions {
    /// Loopback only, no DHT, LSD or trackers, any port: what tests, the
    /// demo and benchmarks use, so no packet leaves the machine.
    pub fn loopback() -> Self {
        NetOptions {
            dht: false,
            lsd: false,
            trackers: false,
            port: PortRange::single(0),
            bind: IpAddr::from([127, 0, 0, 1]),
            ..NetOptions::default()
        }
    }

    /// Whether any source of peers is on for a torrent with `trackers`.
    pub fn can_find_peers(&self, trackers: &[String]) -> bool {
        self.dht || self.lsd || !self.peers.is_empty() || (self.trackers && !trackers.is_empty())
    }
}

/// Resolves `HOST:PORT` (a name, an IPv4 address or `[v6]:port`).
pub fn parse_peer(s: &str) -> Result<SocketAddr> {
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    let mut addrs = s
        .to_socket_addrs()
        .map_err(|e| Error::Fetch(format!("peer {s:?}: {e} (expected HOST:PORT)")))?;
    addrs
        .next()
        .ok_or_else(|| Error::Fetch(format!("peer {s:?}: the name resolves to no address")))
}

/// What a session is for.
pub(crate) struct SessionSpec<'a> {
    /// Default output folder (each torrent is given its own anyway).
    pub output: &'a Path,
    /// librqbit's resume state (torrent list and piece bitfields), if kept.
    pub persistence: Option<PathBuf>,
    /// Whether to accept incoming connections.
    pub listen: bool,
}

/// Starts a librqbit session, trying each port of the range in turn.
pub(crate) async fn start_session(net: &NetOptions, spec: SessionSpec<'_>) -> Result<Arc<Session>> {
    if let Some(dir) = &spec.persistence {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        // librqbit re-adds every torrent in session.json on start, with the
        // options of the run that stored it (selection, peers). Each run adds
        // its torrent itself, so only the piece bitfields (*.bitv) are kept.
        let list = dir.join("session.json");
        match std::fs::remove_file(&list) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&list, e)),
        }
    }
    let ports: Vec<u16> = if spec.listen {
        (net.port.first..=net.port.last).collect()
    } else {
        vec![0]
    };
    let mut last_error = None;
    for port in ports {
        match Session::new_with_opts(spec.output.to_path_buf(), options(net, &spec, port)).await {
            Ok(s) => return Ok(s),
            Err(e) => {
                let text = format!("{e:#}");
                if !spec.listen || !text.contains("listen") {
                    return Err(bt_error("cannot start the BitTorrent session", e));
                }
                last_error = Some(text);
            }
        }
    }
    Err(Error::Fetch(format!(
        "cannot listen on {} port {}{}: {}",
        net.bind,
        net.port.first,
        if net.port.last > net.port.first {
            format!("-{}", net.port.last)
        } else {
            String::new()
        },
        last_error.unwrap_or_default()
    )))
}

fn options(net: &NetOptions, spec: &SessionSpec<'_>, port: u16) -> SessionOptions {
    let ipv4_only = net.bind.is_ipv4();
    SessionOptions {
        dht: net.dht.then(|| DhtSessionConfig {
            bootstrap_addrs: None,
            port: None,
            // The routing table would otherwise go to the user's config dir.
            persistence: spec.persistence.as_ref().map(|d| DhtPersistenceConfig {
                config_filename: Some(d.join("dht.json")),
                ..Default::default()
            }),
        }),
        disable_trackers: !net.trackers,
        fastresume: spec.persistence.is_some(),
        persistence: spec
            .persistence
            .as_ref()
            .map(|d| SessionPersistenceConfig::Json {
                folder: Some(d.clone()),
            }),
        listen: spec.listen.then(|| ListenerOptions {
            mode: ListenerMode::TcpOnly,
            listen_addr: SocketAddr::new(net.bind, port),
            enable_upnp_port_forwarding: false,
            ipv4_only,
            ..Default::default()
        }),
        ratelimits: LimitsConfig {
            upload_bps: net.upload_limit,
            download_bps: net.download_limit,
        },
        disable_local_service_discovery: !net.lsd,
        ipv4_only,
        client_name_and_version: Some(format!(
            "weightcheck {} (librqbit {})",
            env!("CARGO_PKG_VERSION"),
            librqbit::version()
        )),
        ..SessionOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_ranges_parse() {
        assert_eq!("0".parse::<PortRange>(), Ok(PortRange::single(0)));
        assert_eq!(
            "6881-6889".parse::<PortRange>(),
            Ok(PortRange {
                first: 6881,
                last: 6889
            })
        );
        for bad in ["", "x", "9-1", "0-5", "70000", "1-70000"] {
            assert!(bad.parse::<PortRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn peers_parse_without_lookups_for_literals() {
        assert_eq!(
            parse_peer("127.0.0.1:6881").ok(),
            Some(SocketAddr::from(([127, 0, 0, 1], 6881)))
        );
        assert!(parse_peer("[::1]:1").is_ok());
        assert!(parse_peer("127.0.0.1").is_err());
    }
}
