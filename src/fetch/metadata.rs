//! A torrent's metadata from the swarm (BEP 9): the info dictionary that a
//! magnet link names only by its SHA-1. Peers could send anything, so the
//! bytes are hashed here again and must equal the link's info-hash before
//! they are saved or used; paths in them are sanitised like any torrent's.
//!
//! This is how the real Grok-1 layout is pinned: its magnet link is public,
//! its piece length and the files beyond the 770 shards are not, anywhere
//! but in the swarm.

use std::net::SocketAddr;
use std::sync::Arc;

use librqbit::{AddTorrent, AddTorrentOptions, AddTorrentResponse, Session};
use sha1::{Digest, Sha1};

use super::net::{self, NetOptions, SessionSpec};
use super::{bt_error, Stop};
use crate::torrent::bencode::{self, Encoder};
use crate::torrent::{InfoHash, Magnet, Metainfo};
use crate::{Error, Result};

/// Metadata fetched from peers and checked.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// A complete `.torrent`: the peers' info dictionary, byte for byte,
    /// with the magnet's trackers.
    pub bytes: Vec<u8>,
    /// The same, parsed and sanitised.
    pub metainfo: Metainfo,
    /// Peers that were seen while resolving (worth trying first later).
    pub peers: Vec<SocketAddr>,
}

/// A magnet link for `m` with only what weightcheck uses: the info-hash
/// and the trackers (percent-encoded).
pub fn magnet_uri(m: &Magnet) -> String {
    let mut uri = format!("magnet:?xt=urn:btih:{}", m.info_hash_hex());
    for t in &m.trackers {
        uri.push_str("&tr=");
        uri.push_str(&percent_encode(t));
    }
    uri
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `.torrent` around a raw info dictionary: `announce` and
/// `announce-list` when there are trackers, then `info` byte for byte (so
/// the info-hash is the one the swarm uses).
pub fn torrent_from_info(raw_info: &[u8], trackers: &[String]) -> Vec<u8> {
    let mut e = Encoder::new();
    e.dict(|d| {
        if let Some(first) = trackers.first() {
            d.entry("announce", |e| {
                e.bytes(first.as_bytes());
            });
            d.entry("announce-list", |e| {
                e.list(|e| {
                    for t in trackers {
                        e.list(|e| {
                            e.bytes(t.as_bytes());
                        });
                    }
                });
            });
        }
        d.entry("info", |e| {
            e.raw(raw_info);
        });
    });
    e.finish()
}

/// The exact bytes of the `info` dictionary of a `.torrent`.
pub fn raw_info(torrent: &[u8]) -> Result<&[u8]> {
    let v = bencode::decode(torrent)
        .map_err(|e| Error::format("<metadata>", e.offset as u64, e.message))?;
    v.get("info")
        .filter(|i| i.as_dict().is_some())
        .map(|i| i.raw)
        .ok_or_else(|| Error::Fetch("metadata has no info dictionary".into()))
}

/// Fails unless SHA-1(`raw_info`) is `expected`.
pub fn check_info_hash(raw_info: &[u8], expected: &InfoHash) -> Result<()> {
    let got = InfoHash(Sha1::digest(raw_info).into());
    if &got != expected {
        return Err(Error::Fetch(format!(
            "the metadata peers sent hashes to {}, not to the magnet's info-hash {}: refusing it",
            got, expected
        )));
    }
    Ok(())
}

/// Peers named in the magnet (`x.pe`) plus `net`'s explicit ones.
pub fn initial_peers(m: &Magnet, net: &NetOptions) -> Vec<SocketAddr> {
    let mut peers = net.peers.clone();
    peers.extend(m.peers.iter().filter_map(|p| net::parse_peer(p).ok()));
    peers.sort();
    peers.dedup();
    peers
}

/// Fetches the metadata of `m` in a session of its own.
/// `Ok(None)`: `stop` fired first.
pub async fn fetch(m: &Magnet, net: &NetOptions, stop: &mut Stop) -> Result<Option<Fetched>> {
    let tmp = std::env::temp_dir();
    let session = net::start_session(
        net,
        SessionSpec {
            output: &tmp,
            persistence: None,
            listen: false,
        },
    )
    .await?;
    let result = fetch_in(&session, m, net, stop).await;
    session.stop().await;
    result
}

/// Fetches the metadata of `m` through an existing session.
pub(crate) async fn fetch_in(
    session: &Arc<Session>,
    m: &Magnet,
    net: &NetOptions,
    stop: &mut Stop,
) -> Result<Option<Fetched>> {
    let peers = initial_peers(m, net);
    let mut sources = net.clone();
    sources.peers = peers.clone();
    if !sources.can_find_peers(&m.trackers) {
        return Err(Error::Fetch(
            "no way to find peers for the metadata: DHT and trackers are off (or the magnet has \
             no trackers) and no --peer was given"
                .into(),
        ));
    }
    let uri = magnet_uri(m);
    let add = session.add_torrent(
        AddTorrent::from_url(uri.as_str()),
        Some(AddTorrentOptions {
            list_only: true,
            initial_peers: (!peers.is_empty()).then_some(peers),
            ..Default::default()
        }),
    );
    let response = tokio::select! {
        r = add => r.map_err(|e| bt_error("fetching the metadata from peers failed", e))?,
        () = stop.wait() => return Ok(None),
    };
    let AddTorrentResponse::ListOnly(list) = response else {
        return Err(Error::Fetch(
            "the BitTorrent session returned a download instead of metadata".into(),
        ));
    };
    let raw = raw_info(&list.torrent_bytes)?;
    check_info_hash(raw, &m.info_hash)?;
    let bytes = torrent_from_info(raw, &m.trackers);
    let metainfo = Metainfo::from_bytes(&bytes)?;
    if metainfo.info_hash() != m.info_hash {
        return Err(Error::Fetch(
            "reconstructed torrent has a different info-hash (bug)".into(),
        ));
    }
    Ok(Some(Fetched {
        bytes,
        metainfo,
        peers: list.seen_peers,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconstructed_torrent_keeps_the_info_bytes_and_hash() {
        let info = b"d6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaae";
        let hash = InfoHash(Sha1::digest(info).into());
        let t = torrent_from_info(info, &["http://127.0.0.1:1/announce".into()]);
        assert_eq!(raw_info(&t).unwrap(), info);
        check_info_hash(raw_info(&t).unwrap(), &hash).unwrap();
        let m = Metainfo::from_bytes(&t).unwrap();
        assert_eq!(m.info_hash(), hash);
        assert_eq!(m.trackers, vec!["http://127.0.0.1:1/announce".to_string()]);
        let bare = torrent_from_info(info, &[]);
        assert_eq!(&bare[..7], b"d4:info");
        assert!(check_info_hash(info, &InfoHash([0; 20])).is_err());
    }

    #[test]
    fn magnet_uri_round_trips() {
        let m = Magnet::parse(
            "magnet:?xt=urn:btih:5f96d43576e3d386c9ba65b883210a393b68210e&dn=x&tr=udp%3A%2F%2Ft.example%3A1337%2Fannounce",
        )
        .unwrap();
        let again = Magnet::parse(&magnet_uri(&m)).unwrap();
        assert_eq!(again.info_hash, m.info_hash);
        assert_eq!(again.trackers, m.trackers);
    }
}
