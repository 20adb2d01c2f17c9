//! PyTorch checkpoints as `torch.save` writes them since torch 1.6: a zip
//! archive whose `<dir>/data.pkl` pickles the state dict, each tensor's
//! storage named by a persistent id and stored whole as `<dir>/data/<key>`.
//!
//! The zip reader is hand-written over the memory map rather than taken from
//! the `zip` crate: torch stores every entry uncompressed (padded so payloads
//! start on 64-byte boundaries), so all that is needed is the central
//! directory (with its zip64 records, which torch always writes) and each
//! entry's absolute byte range. Reading the directory ourselves keeps the
//! payloads zero-copy and lets every offset be checked against the file
//! before it is used; nothing is decompressed, so compressed entries are
//! refused rather than supported.
//!
//! `data.pkl` goes through the project's non-executing pickle reader with
//! [`Allowlist::TORCH`]. A tensor is `_rebuild_tensor_v2(storage,
//! storage_offset, size, stride, requires_grad, backward_hooks)` where the
//! storage is the persistent id `('storage', torch.<T>Storage, key,
//! location, numel)`; its bytes are a range of `data/<key>`.
//!
//! The pre-1.6 format (a bare pickle stream starting with a magic number)
//! is recognised and refused with a clear message.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::grok::map_file;
use super::pickle::{self, Allowlist, CallKind, Limits, Node, NodeId, Pickle, Span};
use super::tensor::checked_elements;
use super::{DType, StoredAs, TensorRecord};
use crate::{Error, Result};

/// The first bytes of a legacy (pre-1.6, non-zip) `torch.save` file: a
/// protocol-2 pickle of the magic number 0x1950a86a20f9469cfc6c.
pub const LEGACY_MAGIC: [u8; 15] = [
    0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, b'.',
];

/// The message for legacy files, shared with format detection.
pub const LEGACY_MESSAGE: &str = "legacy PyTorch serialization (torch < 1.6, a bare pickle stream rather than a zip archive) is not supported: re-save it with a current torch (torch.save writes the zip format) or convert it to safetensors";

/// Whether `data` starts like a legacy, non-zip `torch.save` file.
pub fn is_legacy(data: &[u8]) -> bool {
    data.starts_with(&LEGACY_MAGIC)
}

/// Most entries accepted in a zip directory.
const MAX_ENTRIES: u64 = 1 << 22;
/// Deepest nesting of dicts walked for tensors.
const MAX_DEPTH: usize = 64;

/// One stored entry of a zip archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    /// Name in the archive.
    pub name: String,
    /// Where the entry's (stored) bytes are, from the start of the file.
    pub data: Span,
    /// Compression method (0 = stored).
    pub method: u16,
    /// CRC-32 from the central directory (not checked: the payload is not read).
    pub crc32: u32,
}

/// One tensor of a torch checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TorchTensor {
    /// Name, shape, dtype and byte range (see [`TorchTensor::contiguous`]).
    pub record: TensorRecord,
    /// The storage it views (`data/<key>`).
    pub storage_key: String,
    /// Offset into the storage, in elements.
    pub storage_offset: u64,
    /// Element strides.
    pub strides: Vec<u64>,
    /// Whether the strides are those of a C-contiguous tensor. When not, the
    /// record's span covers every byte the view touches, gaps included.
    pub contiguous: bool,
    /// `requires_grad` as saved.
    pub requires_grad: bool,
}

/// A decoded torch zip checkpoint.
#[derive(Debug, Clone)]
pub struct TorchCheckpoint {
    /// The file.
    pub path: PathBuf,
    /// The archive's top directory (`archive`, or the file stem for torch
    /// versions that used it).
    pub prefix: String,
    /// `<dir>/version`, trimmed (the serialization format version).
    pub version: Option<String>,
    /// Every entry of the archive.
    pub entries: Vec<ZipEntry>,
    /// The tensors, in pickle order, named by their dotted key path.
    pub tensors: Vec<TorchTensor>,
}

/// Reads the torch zip checkpoint at `path`.
pub fn read_file(path: &Path) -> Result<TorchCheckpoint> {
    let map = map_file(path)?;
    read_bytes(path, &map)
}

/// Decodes a torch zip checkpoint held in `data`; `path` names it in errors.
pub fn read_bytes(path: &Path, data: &[u8]) -> Result<TorchCheckpoint> {
    if is_legacy(data) {
        return Err(Error::format(path, 0, LEGACY_MESSAGE));
    }
    let entries = read_zip_directory(path, data)?;
    let by_name: HashMap<&str, &ZipEntry> = entries.iter().map(|e| (e.name.as_str(), e)).collect();
    let pkls: Vec<&ZipEntry> = entries
        .iter()
        .filter(|e| {
            e.name
                .split_once('/')
                .is_some_and(|(dir, rest)| !dir.is_empty() && rest == "data.pkl")
        })
        .collect();
    let pkl = match pkls.as_slice() {
        [one] => *one,
        [] => {
            return Err(Error::format(
                path,
                0,
                "zip archive without <dir>/data.pkl: not a PyTorch checkpoint",
            ))
        }
        _ => {
            return Err(Error::format(
                path,
                pkls[1].data.offset,
                "zip archive with several <dir>/data.pkl entries",
            ))
        }
    };
    let prefix = pkl.name.split_once('/').map_or("", |(d, _)| d).to_string();
    let small_text = |name: &str| -> Option<String> {
        let e = by_name.get(format!("{prefix}/{name}").as_str())?;
        if e.method != 0 || e.data.len > 64 {
            return None;
        }
        let bytes = &data[e.data.offset as usize..(e.data.offset + e.data.len) as usize];
        std::str::from_utf8(bytes)
            .ok()
            .map(|s| s.trim().to_string())
    };
    if let Some(order) = small_text("byteorder") {
        if order != "little" {
            return Err(Error::format(
                path,
                0,
                format!("byteorder {order:?}: only little-endian checkpoints are supported"),
            ));
        }
    }
    let version = small_text("version");
    if pkl.method != 0 {
        return Err(Error::format(
            path,
            pkl.data.offset,
            format!(
                "{} is compressed (method {}); torch stores entries uncompressed",
                pkl.name, pkl.method
            ),
        ));
    }
    let base = pkl.data.offset;
    let pkl_bytes = &data[base as usize..(base + pkl.data.len) as usize];
    let p = pickle::parse(pkl_bytes, Allowlist::TORCH, Limits::default()).map_err(|e| {
        Error::format(
            path,
            base + e.offset,
            format!("{}: {}", pkl.name, e.message),
        )
    })?;
    if p.end != pkl.data.len {
        return Err(Error::format(
            path,
            base + p.end,
            format!("{} has trailing bytes after STOP", pkl.name),
        ));
    }
    let mut walker = Walker {
        p: &p,
        path,
        base,
        prefix: &prefix,
        by_name: &by_name,
        seen: HashSet::new(),
        out: Vec::new(),
        name_bytes: 0,
    };
    let root = p.root();
    if p.dict_items(root).is_none() {
        return Err(Error::format(
            path,
            base + p.offset(root),
            "data.pkl does not hold a dict (state dicts are dicts or OrderedDicts)",
        ));
    }
    walker.walk(root, String::new(), 0)?;
    let tensors = walker.out;
    Ok(TorchCheckpoint {
        path: path.to_path_buf(),
        prefix,
        version,
        entries,
        tensors,
    })
}

struct Walker<'a, 'p> {
    p: &'a Pickle<'p>,
    path: &'a Path,
    base: u64,
    prefix: &'a str,
    by_name: &'a HashMap<&'a str, &'a ZipEntry>,
    seen: HashSet<NodeId>,
    out: Vec<TorchTensor>,
    /// Bytes of names built so far (see [`MAX_NAME_BYTES`]).
    name_bytes: usize,
}

/// Longest tensor name (a dotted path of dict keys) read; real ones are
/// under 200 bytes.
const MAX_NAME: usize = 4096;
/// All names built while walking a state dict. The memo lets a small pickle
/// reuse one long key in every entry of many nested dicts; without a bound
/// a 263 KB file made the walk build hundreds of MB of names.
const MAX_NAME_BYTES: usize = 64 << 20;

impl Walker<'_, '_> {
    fn fail<T>(&self, id: NodeId, message: impl Into<String>) -> Result<T> {
        Err(Error::format(
            self.path,
            self.base + self.p.offset(id),
            message.into(),
        ))
    }

    fn callee(&self, id: NodeId) -> Option<(&str, NodeId)> {
        match self.p.node(id) {
            Node::Object {
                kind: CallKind::Reduce,
                callable,
                args,
                ..
            } => match self.p.global(*callable) {
                Some(("torch._utils", name)) => Some((name, *args)),
                _ => None,
            },
            _ => None,
        }
    }

    fn walk(&mut self, id: NodeId, name: String, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return self.fail(id, format!("dicts nested deeper than {MAX_DEPTH}"));
        }
        match self.callee(id) {
            Some(("_rebuild_tensor_v2", args)) => {
                let t = self.tensor(id, args, name)?;
                self.out.push(t);
                return Ok(());
            }
            Some(("_rebuild_parameter" | "_rebuild_parameter_with_state", args)) => {
                let Some(&inner) = self.p.seq(args).and_then(|a| a.first()) else {
                    return self.fail(args, "_rebuild_parameter without a tensor");
                };
                return match self.callee(inner) {
                    Some(("_rebuild_tensor_v2", targs)) => {
                        let t = self.tensor(inner, targs, name)?;
                        self.out.push(t);
                        Ok(())
                    }
                    _ => self.fail(
                        inner,
                        format!("parameter {name:?} does not wrap a plain tensor"),
                    ),
                };
            }
            _ => {}
        }
        // A container reached twice (shared through the memo) is walked once,
        // so a hostile pickle cannot make the walk exponential.
        let p = self.p;
        if let Some(items) = p.dict_items(id) {
            if !self.seen.insert(id) {
                return Ok(());
            }
            for &(k, v) in items {
                let key = match p.node(k) {
                    Node::Str(_) => match p.str(k) {
                        Some(s) => s.to_string(),
                        None => return self.fail(k, "dict key is not UTF-8"),
                    },
                    Node::Int(i) => i.to_string(),
                    _ => continue,
                };
                let child = self.child_name(k, &name, &key)?;
                self.walk(v, child, depth + 1)?;
            }
        } else if let Some(items) = p.seq(id) {
            if !self.seen.insert(id) {
                return Ok(());
            }
            for (i, &v) in items.iter().enumerate() {
                let child = self.child_name(v, &name, &i.to_string())?;
                self.walk(v, child, depth + 1)?;
            }
        }
        Ok(())
    }

    /// `name.key`, within the bounds on name length and on all names.
    fn child_name(&mut self, at: NodeId, name: &str, key: &str) -> Result<String> {
        let len = name.len() + 1 + key.len();
        self.name_bytes = self.name_bytes.saturating_add(len);
        if len > MAX_NAME || self.name_bytes > MAX_NAME_BYTES {
            return self.fail(
                at,
                format!(
                    "tensor names longer than {MAX_NAME} bytes or over {MAX_NAME_BYTES} bytes \
                     in all (a memoised key reused to inflate them)"
                ),
            );
        }
        Ok(if name.is_empty() {
            key.to_string()
        } else {
            format!("{name}.{key}")
        })
    }

    fn uint(&self, id: NodeId, what: &str) -> Result<u64> {
        match self.p.node(id) {
            Node::Int(v) if *v >= 0 => Ok(*v as u64),
            _ => self.fail(id, format!("{what} is not a non-negative integer")),
        }
    }

    fn dims(&self, id: NodeId, what: &str) -> Result<Vec<u64>> {
        let Some(items) = self.p.seq(id) else {
            return self.fail(id, format!("{what} is not a tuple"));
        };
        if items.len() > 64 {
            return self.fail(id, format!("{what} has {} dimensions", items.len()));
        }
        items.iter().map(|&d| self.uint(d, what)).collect()
    }

    fn tensor(&self, id: NodeId, args: NodeId, name: String) -> Result<TorchTensor> {
        let p = self.p;
        let a = p.seq(args).unwrap_or(&[]);
        let (storage, offset, size, stride, grad) = match a {
            [s, o, z, t, g, _hooks] | [s, o, z, t, g, _hooks, _] => (*s, *o, *z, *t, *g),
            _ => {
                return self.fail(
                    args,
                    format!(
                        "tensor {name:?}: _rebuild_tensor_v2 takes 6 or 7 arguments, found {}",
                        a.len()
                    ),
                )
            }
        };
        let Node::PersistentId(pid) = p.node(storage) else {
            return self.fail(
                storage,
                format!("tensor {name:?}: storage is not a persistent id"),
            );
        };
        let pid = p.seq(*pid).unwrap_or(&[]);
        let [tag, class, key, _location, numel] = pid else {
            return self.fail(
                storage,
                format!(
                    "tensor {name:?}: storage id is not ('storage', type, key, location, numel)"
                ),
            );
        };
        if p.str(*tag) != Some("storage") {
            return self.fail(
                *tag,
                format!("tensor {name:?}: persistent id is not a storage"),
            );
        }
        let dtype = match p.global(*class) {
            Some(("torch", cls)) => match DType::from_torch_storage(cls) {
                Some(d) => d,
                None => {
                    return self.fail(
                        *class,
                        format!("tensor {name:?}: unsupported storage type torch.{cls}"),
                    )
                }
            },
            _ => {
                return self.fail(
                    *class,
                    format!("tensor {name:?}: storage type is not a torch storage class"),
                )
            }
        };
        let Some(key) = p.str(*key) else {
            return self.fail(
                *key,
                format!("tensor {name:?}: storage key is not a string"),
            );
        };
        let storage_numel = self.uint(*numel, "storage numel")?;
        let entry_name = format!("{}/data/{key}", self.prefix);
        let Some(entry) = self.by_name.get(entry_name.as_str()) else {
            return self.fail(
                storage,
                format!("tensor {name:?}: storage {key:?} has no archive entry {entry_name}"),
            );
        };
        if entry.method != 0 {
            return self.fail(
                storage,
                format!("{entry_name} is compressed (method {})", entry.method),
            );
        }
        let item = dtype.itemsize();
        if storage_numel.checked_mul(item) != Some(entry.data.len) {
            return self.fail(
                storage,
                format!(
                    "tensor {name:?}: storage {key:?} claims {storage_numel} {dtype} elements but {entry_name} holds {} bytes",
                    entry.data.len
                ),
            );
        }
        let storage_offset = self.uint(offset, "storage offset")?;
        let shape = self.dims(size, "tensor size")?;
        let strides = self.dims(stride, "tensor stride")?;
        if strides.len() != shape.len() {
            return self.fail(
                stride,
                format!(
                    "tensor {name:?}: {} strides for {} dimensions",
                    strides.len(),
                    shape.len()
                ),
            );
        }
        let Some(numel) = checked_elements(&shape) else {
            return self.fail(size, format!("tensor {name:?}: element count overflows"));
        };
        let mut contiguous = true;
        let mut expect = 1u64;
        for (&d, &s) in shape.iter().zip(&strides).rev() {
            if d != 1 && s != expect {
                contiguous = false;
            }
            expect = expect.saturating_mul(d);
        }
        let touched = if numel == 0 {
            0
        } else {
            let last = shape.iter().zip(&strides).try_fold(0u64, |acc, (&d, &s)| {
                (d - 1).checked_mul(s).and_then(|x| acc.checked_add(x))
            });
            match last.and_then(|l| l.checked_add(1)) {
                Some(n) => n,
                None => return self.fail(stride, format!("tensor {name:?}: strides overflow")),
            }
        };
        if storage_offset
            .checked_add(touched)
            .is_none_or(|end| end > storage_numel)
        {
            return self.fail(
                id,
                format!(
                    "tensor {name:?} (offset {storage_offset}, shape {shape:?}, stride {strides:?}) reads past its storage of {storage_numel} elements"
                ),
            );
        }
        let requires_grad = matches!(p.node(grad), Node::Bool(true));
        Ok(TorchTensor {
            record: TensorRecord {
                name: Some(name),
                stored_as: StoredAs::Array,
                shape,
                dtype,
                data: Span {
                    offset: entry.data.offset + storage_offset * item,
                    len: touched * item,
                },
                scales: None,
            },
            storage_key: key.to_string(),
            storage_offset,
            strides,
            contiguous,
            requires_grad,
        })
    }
}

fn u16_at(d: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([d[at], d[at + 1]])
}
fn u32_at(d: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([d[at], d[at + 1], d[at + 2], d[at + 3]])
}
fn u64_at(d: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Reads a zip archive's central directory (zip64 included) and locates
/// each entry's bytes, checking every offset and length against the file
/// and refusing encrypted entries, duplicate names and overlapping data.
pub fn read_zip_directory(path: &Path, data: &[u8]) -> Result<Vec<ZipEntry>> {
    let len = data.len();
    let bad = |at: usize, msg: String| Error::format(path, at as u64, msg);
    if len < 22 {
        return Err(bad(0, format!("{len} bytes: too short for a zip archive")));
    }
    // The end-of-central-directory record sits in the last 64 KiB + 22 bytes
    // (its comment is at most 65,535 bytes).
    let lowest = len.saturating_sub(22 + 0xffff);
    let eocd = (lowest..=len - 22)
        .rev()
        .find(|&i| {
            data[i..i + 4] == *b"PK\x05\x06" && i + 22 + u16_at(data, i + 20) as usize == len
        })
        .ok_or_else(|| bad(len, "no zip end-of-central-directory record".into()))?;
    let mut count = u16_at(data, eocd + 10) as u64;
    let mut cd_size = u32_at(data, eocd + 12) as u64;
    let mut cd_offset = u32_at(data, eocd + 16) as u64;
    let mut cd_limit = eocd as u64;
    if eocd >= 20 && data[eocd - 20..eocd - 16] == *b"PK\x06\x07" {
        let z64 = u64_at(data, eocd - 12);
        let at = usize::try_from(z64)
            .ok()
            .filter(|&a| a.checked_add(56).is_some_and(|end| end <= eocd - 20))
            .ok_or_else(|| {
                bad(
                    eocd - 20,
                    format!("zip64 locator points at {z64}, outside the file"),
                )
            })?;
        if data[at..at + 4] != *b"PK\x06\x06" {
            return Err(bad(
                at,
                "zip64 end-of-central-directory signature missing".into(),
            ));
        }
        count = u64_at(data, at + 32);
        cd_size = u64_at(data, at + 40);
        cd_offset = u64_at(data, at + 48);
        cd_limit = at as u64;
    } else if count == 0xffff || cd_size == 0xffff_ffff || cd_offset == 0xffff_ffff {
        return Err(bad(
            eocd,
            "zip needs zip64 records but has no zip64 locator".into(),
        ));
    }
    if count > MAX_ENTRIES || count.saturating_mul(46) > cd_size {
        return Err(bad(
            eocd,
            format!("central directory claims {count} entries in {cd_size} bytes"),
        ));
    }
    if cd_offset
        .checked_add(cd_size)
        .is_none_or(|end| end > cd_limit)
    {
        return Err(bad(
            eocd,
            format!("central directory [{cd_offset}, +{cd_size}) runs past its end record"),
        ));
    }
    let cd_end = (cd_offset + cd_size) as usize;
    let mut pos = cd_offset as usize;
    let mut entries = Vec::with_capacity(count as usize);
    let mut names = HashSet::new();
    let mut ranges = Vec::with_capacity(count as usize);
    for _ in 0..count {
        if pos + 46 > cd_end || data[pos..pos + 4] != *b"PK\x01\x02" {
            return Err(bad(pos, "central directory entry signature missing".into()));
        }
        let flags = u16_at(data, pos + 8);
        let method = u16_at(data, pos + 10);
        let crc32 = u32_at(data, pos + 16);
        let mut csize = u32_at(data, pos + 20) as u64;
        let mut usize_ = u32_at(data, pos + 24) as u64;
        let name_len = u16_at(data, pos + 28) as usize;
        let extra_len = u16_at(data, pos + 30) as usize;
        let comment_len = u16_at(data, pos + 32) as usize;
        let mut local = u32_at(data, pos + 42) as u64;
        let next = pos + 46 + name_len + extra_len + comment_len;
        if next > cd_end {
            return Err(bad(
                pos,
                "central directory entry runs past the directory".into(),
            ));
        }
        let name = std::str::from_utf8(&data[pos + 46..pos + 46 + name_len])
            .map_err(|_| bad(pos + 46, "entry name is not UTF-8".into()))?
            .to_string();
        // zip64 extended information: only the fields saturated in the
        // fixed record are present, in this order.
        let mut extra = &data[pos + 46 + name_len..pos + 46 + name_len + extra_len];
        while extra.len() >= 4 {
            let id = u16_at(extra, 0);
            let size = u16_at(extra, 2) as usize;
            let Some(body) = extra.get(4..4 + size) else {
                return Err(bad(pos, format!("entry {name:?}: extra field overruns")));
            };
            if id == 1 {
                let mut f = body;
                for field in [&mut usize_, &mut csize, &mut local] {
                    if *field == 0xffff_ffff {
                        if f.len() < 8 {
                            return Err(bad(pos, format!("entry {name:?}: short zip64 field")));
                        }
                        *field = u64_at(f, 0);
                        f = &f[8..];
                    }
                }
            }
            extra = &extra[4 + size..];
        }
        if flags & 1 != 0 {
            return Err(bad(pos, format!("entry {name:?} is encrypted")));
        }
        if method == 0 && csize != usize_ {
            return Err(bad(
                pos,
                format!("stored entry {name:?} has compressed size {csize} but size {usize_}"),
            ));
        }
        let lh = usize::try_from(local)
            .ok()
            .filter(|&l| l.checked_add(30).is_some_and(|e| e as u64 <= cd_offset))
            .ok_or_else(|| {
                bad(
                    pos,
                    format!("entry {name:?}: local header offset {local} outside the data area"),
                )
            })?;
        if data[lh..lh + 4] != *b"PK\x03\x04" {
            return Err(bad(
                lh,
                format!("entry {name:?}: local header signature missing"),
            ));
        }
        let lname = u16_at(data, lh + 26) as usize;
        let lextra = u16_at(data, lh + 28) as usize;
        let start = (lh + 30 + lname + lextra) as u64;
        if data.get(lh + 30..lh + 30 + lname) != Some(name.as_bytes()) {
            return Err(bad(
                lh,
                format!("entry {name:?}: local header names another file"),
            ));
        }
        if start.checked_add(csize).is_none_or(|end| end > cd_offset) {
            return Err(bad(
                lh,
                format!("entry {name:?}: {csize} bytes at {start} run into the central directory"),
            ));
        }
        if !names.insert(name.clone()) {
            return Err(bad(pos, format!("entry {name:?} appears twice")));
        }
        ranges.push((local, start + csize, entries.len()));
        entries.push(ZipEntry {
            name,
            data: Span {
                offset: start,
                len: csize,
            },
            method,
            crc32,
        });
        pos = next;
    }
    ranges.sort();
    for w in ranges.windows(2) {
        if w[1].0 < w[0].1 {
            let (a, b) = (&entries[w[0].2].name, &entries[w[1].2].name);
            return Err(bad(
                w[1].0 as usize,
                format!("entries {a:?} and {b:?} overlap"),
            ));
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored entry whose sizes and offset live in zip64 extra fields, as
    /// torch writes them past 4 GiB (Mixtral's 87 GiB consolidated.00.pth).
    fn zip64_archive(payload: &[u8], lie: Option<u64>) -> Vec<u8> {
        let name = b"a/data/0";
        let mut z = Vec::new();
        z.extend_from_slice(b"PK\x03\x04");
        z.extend_from_slice(&[0; 22]);
        z.extend_from_slice(&(name.len() as u16).to_le_bytes());
        z.extend_from_slice(&0u16.to_le_bytes());
        z.extend_from_slice(name);
        z.extend_from_slice(payload);
        let cd = z.len() as u64;
        z.extend_from_slice(b"PK\x01\x02");
        z.extend_from_slice(&[0; 6]); // versions, flags
        z.extend_from_slice(&[0; 2]); // method: stored
        z.extend_from_slice(&[0; 8]); // time, date, crc
        z.extend_from_slice(&[0xff; 8]); // sizes: see zip64 extra
        z.extend_from_slice(&(name.len() as u16).to_le_bytes());
        z.extend_from_slice(&28u16.to_le_bytes());
        z.extend_from_slice(&[0; 8]); // comment, disk, attributes
        z.extend_from_slice(&[0; 2]);
        z.extend_from_slice(&[0xff; 4]); // local header offset: see extra
        z.extend_from_slice(name);
        z.extend_from_slice(&1u16.to_le_bytes());
        z.extend_from_slice(&24u16.to_le_bytes());
        let size = lie.unwrap_or(payload.len() as u64);
        for v in [size, size, 0u64] {
            z.extend_from_slice(&v.to_le_bytes());
        }
        let cd_size = z.len() as u64 - cd;
        let z64 = z.len() as u64;
        z.extend_from_slice(b"PK\x06\x06");
        z.extend_from_slice(&44u64.to_le_bytes());
        z.extend_from_slice(&[0; 12]);
        for v in [1u64, 1, cd_size, cd] {
            z.extend_from_slice(&v.to_le_bytes());
        }
        z.extend_from_slice(b"PK\x06\x07\0\0\0\0");
        z.extend_from_slice(&z64.to_le_bytes());
        z.extend_from_slice(&1u32.to_le_bytes());
        z.extend_from_slice(b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff");
        z.extend_from_slice(&[0xff; 8]);
        z.extend_from_slice(&[0; 2]);
        z
    }

    #[test]
    fn reads_zip64_extra_fields() {
        let z = zip64_archive(b"0123456789", None);
        let entries = read_zip_directory(Path::new("big.pth"), &z).expect("zip64");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "a/data/0");
        assert_eq!(
            entries[0].data,
            Span {
                offset: 38,
                len: 10
            }
        );
        let z = zip64_archive(b"0123456789", Some(1 << 40));
        let e = read_zip_directory(Path::new("big.pth"), &z).expect_err("lying size");
        assert!(
            e.to_string().contains("run into the central directory"),
            "{e}"
        );
    }

    #[test]
    fn recognises_the_legacy_magic() {
        let mut v = LEGACY_MAGIC.to_vec();
        v.extend_from_slice(b"\x80\x02M\xe9\x03.");
        let e = read_bytes(Path::new("old.pt"), &v).expect_err("legacy");
        assert!(
            e.to_string().contains("legacy PyTorch serialization"),
            "{e}"
        );
    }

    #[test]
    fn refuses_non_zip_and_empty_archives() {
        let e = read_bytes(Path::new("x.pth"), &[0u8; 40]).expect_err("not zip");
        assert!(e.to_string().contains("end-of-central-directory"), "{e}");
        let empty = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        let e = read_bytes(Path::new("x.pth"), empty).expect_err("empty zip");
        assert!(e.to_string().contains("without <dir>/data.pkl"), "{e}");
    }
}
