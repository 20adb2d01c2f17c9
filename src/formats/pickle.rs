//! A pickle reader that never executes anything.
//!
//! It walks the opcodes CPython writes (protocols 2 to 5) over a byte slice,
//! usually a memory map, and builds a small graph of [`Node`]s in an arena.
//! Byte payloads are kept as [`Span`]s (offset and length into the slice),
//! so tensor data is never copied. Globals are checked against an allowlist
//! and kept as names; nothing is imported, called or resolved.
//!
//! Why hand-written: existing Rust pickle crates either copy payloads into
//! owned buffers or try to evaluate the pickle into Python-like values; we
//! need byte offsets of every payload and a hard refusal of unknown globals.
//!
//! Hostile input: every length is checked against the bytes that remain
//! before anything is allocated; `GET` shares a node rather than copying it
//! (no memo bombs); the arena is flat (no recursion while parsing); the
//! number of nodes is bounded by the number of opcodes, hence by the input.

use std::collections::HashMap;

/// A byte range inside the parsed input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Offset of the first byte from the start of the input.
    pub offset: u64,
    /// Number of bytes.
    pub len: u64,
}

/// Index of a node in a [`Pickle`]'s arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeId(u32);

/// How an object node was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// `REDUCE`: `callable(*args)`.
    Reduce,
    /// `NEWOBJ` / `NEWOBJ_EX`: `cls.__new__(cls, *args)`.
    NewObj,
}

/// One value in the pickle's object graph.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// An integer too large for 64 bits (its little-endian two's complement bytes).
    BigInt(Span),
    /// A float.
    Float(f64),
    /// A text string (UTF-8 checked when read with [`Pickle::str`]).
    Str(Span),
    /// A protocol-0 text string whose bytes in the file are escaped; the
    /// span is the escaped text. Never decoded into a name or key: only a
    /// numpy payload counts the characters it stands for.
    EscapedStr(Span, Escapes),
    /// A bytes, bytearray or protocol-2 binary string payload.
    Bytes(Span),
    /// A tuple.
    Tuple(Vec<NodeId>),
    /// A list (filled by `APPEND(S)`).
    List(Vec<NodeId>),
    /// A dict (filled by `SETITEM(S)`), in insertion order.
    Dict(Vec<(NodeId, NodeId)>),
    /// A set or frozenset.
    Set(Vec<NodeId>),
    /// An allowlisted global, by module and name. Never resolved.
    Global {
        /// Module, e.g. `numpy.core.multiarray`.
        module: String,
        /// Qualified name, e.g. `_reconstruct`.
        name: String,
    },
    /// An object made by calling a global; `BUILD` fills in `state`.
    Object {
        /// How it was created.
        kind: CallKind,
        /// The callable or class (usually a [`Node::Global`]).
        callable: NodeId,
        /// The argument tuple.
        args: NodeId,
        /// Keyword arguments of `NEWOBJ_EX`.
        kwargs: Option<NodeId>,
        /// The state passed to `BUILD`, if any.
        state: Option<NodeId>,
    },
    /// A persistent id (`PERSID` / `BINPERSID`), left for the caller to interpret.
    PersistentId(NodeId),
}

/// How an [`Node::EscapedStr`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escapes {
    /// `UNICODE`: raw-unicode-escape (latin-1 bytes, `\uXXXX`, `\UXXXXXXXX`).
    RawUnicode,
    /// `STRING`: a Python 2 `repr` (quotes, `\x..`, `\n`, …).
    Repr,
}

/// Why a pickle could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickleError {
    /// Byte offset of the opcode (or payload) at fault.
    pub offset: u64,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for PickleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for PickleError {}

/// Limits that keep hostile input cheap to reject.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most nodes the arena may hold.
    pub max_nodes: usize,
    /// Most memo entries.
    pub max_memo: usize,
    /// Deepest nesting of `MARK`s.
    pub max_marks: usize,
    /// Longest text string, in bytes (names and keys are short).
    pub max_str: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nodes: 1 << 22,
            max_memo: 1 << 22,
            max_marks: 1 << 12,
            max_str: 1 << 20,
        }
    }
}

/// The globals a pickle may name; anything else is refused.
#[derive(Debug, Clone, Copy)]
pub struct Allowlist(pub &'static [(&'static str, &'static str)]);

impl Allowlist {
    /// What numpy 1.x/2.x, ml_dtypes and xAI's Grok-1 checkpoint writer emit.
    pub const NUMPY: Allowlist = Allowlist(&[
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        // Protocol 5 arrays (numpy >= 1.16): _frombuffer(buffer, dtype,
        // shape, order), the buffer in-band as BYTEARRAY8.
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
        ("ml_dtypes", "bfloat16"),
        ("ml_dtypes", "float8_e4m3fn"),
        ("ml_dtypes", "float8_e4m3b11fnuz"),
        ("ml_dtypes", "float8_e4m3fnuz"),
        ("ml_dtypes", "float8_e5m2"),
        ("ml_dtypes", "float8_e5m2fnuz"),
        ("ml_dtypes", "int4"),
        ("ml_dtypes", "uint4"),
        ("__main__", "QuantizedWeight8bit"),
        ("collections", "OrderedDict"),
    ]);

    /// What `torch.save` writes for state dicts (zip format, `data.pkl`):
    /// tensors rebuilt from typed storages named by persistent ids. Nothing
    /// here runs code when read by weightcheck; the names are only matched.
    /// Tensor subclasses (`torch._tensor._rebuild_from_type_v2`), quantized
    /// tensors and optimizer objects stay refused.
    pub const TORCH: Allowlist = Allowlist(&[
        ("collections", "OrderedDict"),
        ("torch._utils", "_rebuild_tensor_v2"),
        ("torch._utils", "_rebuild_parameter"),
        ("torch._utils", "_rebuild_parameter_with_state"),
        ("torch", "FloatStorage"),
        ("torch", "DoubleStorage"),
        ("torch", "HalfStorage"),
        ("torch", "BFloat16Storage"),
        ("torch", "LongStorage"),
        ("torch", "IntStorage"),
        ("torch", "ShortStorage"),
        ("torch", "CharStorage"),
        ("torch", "ByteStorage"),
        ("torch", "BoolStorage"),
    ]);

    /// Whether `module.name` is allowed.
    pub fn allows(&self, module: &str, name: &str) -> bool {
        self.0.iter().any(|(m, n)| *m == module && *n == name)
    }
}

/// Items that `SETITEM(S)` / `APPEND(S)` added to an [`Node::Object`]
/// (an `OrderedDict` or another dict or list subclass built by `REDUCE`).
/// Kept beside the arena so [`Node`] itself is unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectItems {
    /// Key/value pairs, in insertion order.
    pub dict: Vec<(NodeId, NodeId)>,
    /// Appended items, in order.
    pub list: Vec<NodeId>,
}

/// A parsed pickle: an arena of nodes over the input bytes.
#[derive(Debug)]
pub struct Pickle<'a> {
    data: &'a [u8],
    nodes: Vec<Node>,
    offsets: Vec<u64>,
    object_items: HashMap<NodeId, ObjectItems>,
    root: NodeId,
    /// Offset just past the `STOP` opcode.
    pub end: u64,
    /// The protocol announced by `PROTO`, if any.
    pub protocol: Option<u8>,
}

impl<'a> Pickle<'a> {
    /// The value the pickle returns.
    pub fn root(&self) -> NodeId {
        self.root
    }
    /// The node behind an id.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }
    /// Byte offset of the opcode that made a node (for error messages).
    pub fn offset(&self, id: NodeId) -> u64 {
        self.offsets[id.0 as usize]
    }
    /// Number of nodes in the arena.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    /// Whether the arena is empty (never true for a parsed pickle).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
    /// The bytes of a span.
    pub fn bytes(&self, span: Span) -> &'a [u8] {
        &self.data[span.offset as usize..(span.offset + span.len) as usize]
    }
    /// The node as a text string, if it is one and is valid UTF-8.
    pub fn str(&self, id: NodeId) -> Option<&'a str> {
        match self.node(id) {
            Node::Str(span) => std::str::from_utf8(self.bytes(*span)).ok(),
            _ => None,
        }
    }
    /// The node as an integer, if it is one (booleans excluded).
    pub fn int(&self, id: NodeId) -> Option<i64> {
        match self.node(id) {
            Node::Int(v) => Some(*v),
            _ => None,
        }
    }
    /// The items of a tuple or list.
    pub fn seq(&self, id: NodeId) -> Option<&[NodeId]> {
        match self.node(id) {
            Node::Tuple(items) | Node::List(items) => Some(items),
            _ => None,
        }
    }
    /// Looks a string key up in a dict node.
    pub fn dict_get(&self, id: NodeId, key: &str) -> Option<NodeId> {
        match self.node(id) {
            Node::Dict(items) => items
                .iter()
                .find(|(k, _)| self.str(*k) == Some(key))
                .map(|(_, v)| *v),
            _ => None,
        }
    }
    /// The key/value pairs of a dict, or of an object that `SETITEM(S)`
    /// filled (how `OrderedDict` is pickled); `None` for anything else.
    pub fn dict_items(&self, id: NodeId) -> Option<&[(NodeId, NodeId)]> {
        match self.node(id) {
            Node::Dict(items) => Some(items),
            Node::Object { .. } => Some(
                self.object_items
                    .get(&id)
                    .map_or(&[][..], |items| &items.dict[..]),
            ),
            _ => None,
        }
    }
    /// Items that `SETITEM(S)` / `APPEND(S)` added to an object node.
    pub fn object_items(&self, id: NodeId) -> Option<&ObjectItems> {
        self.object_items.get(&id)
    }
    /// The `(module, name)` of a global node.
    pub fn global(&self, id: NodeId) -> Option<(&str, &str)> {
        match self.node(id) {
            Node::Global { module, name } => Some((module, name)),
            _ => None,
        }
    }
}

/// Whether a pickle may start with `first`: PROTO (protocols 2-5) or, in
/// protocols 0 and 1, which have no magic, an opcode that opens a value.
pub fn may_start(first: u8) -> bool {
    matches!(
        first,
        0x80 | b'('
            | b'c'
            | b'i'
            | b']'
            | b'}'
            | b')'
            | b'N'
            | b'I'
            | b'V'
            | b'S'
            | b'F'
            | b'L'
            | b'K'
            | b'J'
            | b'M'
            | b'X'
            | b'U'
            | b'T'
            | b'G'
    )
}

/// Parses the pickle at the start of `data`, refusing globals not in `allow`.
pub fn parse<'a>(
    data: &'a [u8],
    allow: Allowlist,
    limits: Limits,
) -> Result<Pickle<'a>, PickleError> {
    Parser {
        data,
        pos: 0,
        nodes: Vec::new(),
        offsets: Vec::new(),
        object_items: HashMap::new(),
        stack: Vec::new(),
        marks: Vec::new(),
        memo: HashMap::new(),
        allow,
        limits,
        protocol: None,
        frame_end: None,
    }
    .run()
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    nodes: Vec<Node>,
    offsets: Vec<u64>,
    object_items: HashMap<NodeId, ObjectItems>,
    stack: Vec<NodeId>,
    marks: Vec<usize>,
    memo: HashMap<u32, NodeId>,
    allow: Allowlist,
    limits: Limits,
    protocol: Option<u8>,
    frame_end: Option<usize>,
}

type PResult<T> = Result<T, PickleError>;

impl<'a> Parser<'a> {
    fn err<T>(&self, offset: usize, message: impl Into<String>) -> PResult<T> {
        Err(PickleError {
            offset: offset as u64,
            message: message.into(),
        })
    }

    fn take(&mut self, n: u64, what: &str, at: usize) -> PResult<Span> {
        let remaining = (self.data.len() - self.pos) as u64;
        if n > remaining {
            return self.err(
                at,
                format!(
                    "{what} claims {n} bytes but only {remaining} remain (truncated or hostile)"
                ),
            );
        }
        let span = Span {
            offset: self.pos as u64,
            len: n,
        };
        self.pos += n as usize;
        Ok(span)
    }

    fn fixed<const N: usize>(&mut self, what: &str, at: usize) -> PResult<[u8; N]> {
        let span = self.take(N as u64, what, at)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.data[span.offset as usize..][..N]);
        Ok(out)
    }

    fn line(&mut self, what: &str, at: usize) -> PResult<&'a str> {
        let rest = &self.data[self.pos..];
        let limit = rest.len().min(4096);
        let Some(nl) = rest[..limit].iter().position(|&b| b == b'\n') else {
            return self.err(at, format!("{what}: no newline within {limit} bytes"));
        };
        let text = std::str::from_utf8(&rest[..nl])
            .or_else(|_| self.err(at, format!("{what} is not UTF-8")))?;
        self.pos += nl + 1;
        Ok(text)
    }

    /// A protocol-0 argument line as bytes, of any length: scanning for its
    /// newline consumes what it scans, so a long line costs linear time.
    fn raw_line(&mut self, what: &str, at: usize) -> PResult<Span> {
        let rest = &self.data[self.pos..];
        let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
            return self.err(at, format!("{what}: no newline before the end of the data"));
        };
        let span = Span {
            offset: self.pos as u64,
            len: nl as u64,
        };
        self.pos += nl + 1;
        Ok(span)
    }

    /// `UNICODE` (`V`) and `STRING` (`S`): plain ASCII text is an ordinary
    /// string; anything escaped is kept as escaped text.
    fn text_line(&mut self, op: u8, at: usize) -> PResult<()> {
        let (what, escapes) = if op == b'V' {
            ("UNICODE", Escapes::RawUnicode)
        } else {
            ("STRING", Escapes::Repr)
        };
        let mut span = self.raw_line(what, at)?;
        if op == b'S' {
            let text = &self.data[span.offset as usize..][..span.len as usize];
            let quoted = text.len() >= 2
                && (text[0] == b'\'' || text[0] == b'"')
                && text[text.len() - 1] == text[0];
            if !quoted {
                return self.err(at, "STRING argument is not quoted");
            }
            span = Span {
                offset: span.offset + 1,
                len: span.len - 2,
            };
        }
        let text = &self.data[span.offset as usize..][..span.len as usize];
        let node = if text.iter().all(|&b| b.is_ascii() && b != b'\\') {
            Node::Str(span)
        } else {
            Node::EscapedStr(span, escapes)
        };
        self.push(node, at)
    }

    /// `INST` and `OBJ`: a call of a class with the items above the mark.
    fn instance(&mut self, op: u8, at: usize) -> PResult<()> {
        let mut items = self.pop_mark(at, if op == b'i' { "INST" } else { "OBJ" })?;
        let callable = if op == b'i' {
            let module = self.line("INST module", at)?;
            let name = self.line("INST name", at)?;
            self.global(module, name, at)?;
            self.pop(at, "INST")?
        } else {
            if items.is_empty() {
                return self.err(at, "OBJ without a class");
            }
            items.remove(0)
        };
        let args = self.push_node(Node::Tuple(items), at)?;
        self.object(CallKind::Reduce, callable, args, None, at)
    }

    fn push_node(&mut self, node: Node, at: usize) -> PResult<NodeId> {
        if self.nodes.len() >= self.limits.max_nodes {
            return self.err(at, format!("more than {} objects", self.limits.max_nodes));
        }
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(node);
        self.offsets.push(at as u64);
        Ok(id)
    }

    fn push(&mut self, node: Node, at: usize) -> PResult<()> {
        let id = self.push_node(node, at)?;
        self.stack.push(id);
        Ok(())
    }

    fn pop(&mut self, at: usize, op: &str) -> PResult<NodeId> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return self.err(at, format!("{op} on an empty stack"));
        }
        Ok(self.stack.pop().unwrap_or(NodeId(0)))
    }

    fn top(&self, at: usize, op: &str) -> PResult<NodeId> {
        let floor = self.marks.last().copied().unwrap_or(0);
        match self.stack.last() {
            Some(id) if self.stack.len() > floor => Ok(*id),
            _ => self.err(at, format!("{op} on an empty stack")),
        }
    }

    fn pop_mark(&mut self, at: usize, op: &str) -> PResult<Vec<NodeId>> {
        let Some(mark) = self.marks.pop() else {
            return self.err(at, format!("{op} without a MARK"));
        };
        Ok(self.stack.split_off(mark))
    }

    fn memo_put(&mut self, index: u32, at: usize) -> PResult<()> {
        let id = self.top(at, "memo store")?;
        if self.memo.len() >= self.limits.max_memo && !self.memo.contains_key(&index) {
            return self.err(
                at,
                format!("more than {} memo entries", self.limits.max_memo),
            );
        }
        self.memo.insert(index, id);
        Ok(())
    }

    fn memo_get(&mut self, index: u64, at: usize) -> PResult<()> {
        let found = u32::try_from(index)
            .ok()
            .and_then(|i| self.memo.get(&i).copied());
        match found {
            Some(id) => {
                self.stack.push(id);
                Ok(())
            }
            None => self.err(at, format!("memo entry {index} read before it was stored")),
        }
    }

    fn string(&mut self, n: u64, at: usize, what: &str) -> PResult<()> {
        if n > self.limits.max_str {
            return self.err(
                at,
                format!(
                    "{what} of {n} bytes is longer than the {} allowed",
                    self.limits.max_str
                ),
            );
        }
        let span = self.take(n, what, at)?;
        self.push(Node::Str(span), at)
    }

    fn bytes(&mut self, n: u64, at: usize, what: &str) -> PResult<()> {
        let span = self.take(n, what, at)?;
        self.push(Node::Bytes(span), at)
    }

    fn global(&mut self, module: &str, name: &str, at: usize) -> PResult<()> {
        if !self.allow.allows(module, name) {
            return self.err(
                at,
                format!("unknown global {module}.{name} (refused, never resolved)"),
            );
        }
        self.push(
            Node::Global {
                module: module.to_string(),
                name: name.to_string(),
            },
            at,
        )
    }

    fn long(&mut self, n: u64, at: usize) -> PResult<()> {
        let span = self.take(n, "LONG", at)?;
        let raw = &self.data[span.offset as usize..][..n as usize];
        if n <= 8 {
            let mut buf = if raw.last().is_some_and(|b| b & 0x80 != 0) {
                [0xffu8; 8]
            } else {
                [0u8; 8]
            };
            buf[..raw.len()].copy_from_slice(raw);
            self.push(Node::Int(i64::from_le_bytes(buf)), at)
        } else {
            self.push(Node::BigInt(span), at)
        }
    }

    fn set_items(&mut self, target: NodeId, items: Vec<NodeId>, at: usize) -> PResult<()> {
        if items.len() % 2 != 0 {
            return self.err(at, "SETITEMS with an odd number of items");
        }
        let pairs = items.chunks_exact(2).map(|c| (c[0], c[1]));
        match &mut self.nodes[target.0 as usize] {
            Node::Dict(entries) => entries.extend(pairs),
            // OrderedDict and friends keep their items beside the call.
            Node::Object { .. } => self
                .object_items
                .entry(target)
                .or_default()
                .dict
                .extend(pairs),
            _ => return self.err(at, "SETITEM(S) on something that is not a dict"),
        }
        Ok(())
    }

    fn append_items(&mut self, target: NodeId, items: Vec<NodeId>, at: usize) -> PResult<()> {
        match &mut self.nodes[target.0 as usize] {
            Node::List(list) => list.extend(items),
            Node::Object { .. } => self
                .object_items
                .entry(target)
                .or_default()
                .list
                .extend(items),
            _ => return self.err(at, "APPEND(S) on something that is not a list"),
        }
        Ok(())
    }

    fn run(mut self) -> PResult<Pickle<'a>> {
        loop {
            let at = self.pos;
            if let Some(end) = self.frame_end {
                if at >= end {
                    self.frame_end = None;
                }
            }
            let Some(&op) = self.data.get(at) else {
                return self.err(at, "truncated: end of data before STOP");
            };
            self.pos += 1;
            match op {
                0x80 => {
                    let [v] = self.fixed::<1>("PROTO", at)?;
                    if v > 5 {
                        return self.err(at, format!("unsupported pickle protocol {v}"));
                    }
                    self.protocol = Some(v);
                }
                0x95 => {
                    let len = u64::from_le_bytes(self.fixed::<8>("FRAME", at)?);
                    let remaining = (self.data.len() - self.pos) as u64;
                    if len > remaining {
                        return self.err(at, format!("FRAME claims {len} bytes but only {remaining} remain (truncated or hostile)"));
                    }
                    self.frame_end = Some(self.pos + len as usize);
                }
                b'.' => {
                    let root = self.pop(at, "STOP")?;
                    if !self.marks.is_empty() {
                        return self.err(at, "STOP with an unclosed MARK");
                    }
                    return Ok(Pickle {
                        data: self.data,
                        nodes: self.nodes,
                        offsets: self.offsets,
                        object_items: self.object_items,
                        root,
                        end: self.pos as u64,
                        protocol: self.protocol,
                    });
                }
                b'(' => {
                    if self.marks.len() >= self.limits.max_marks {
                        return self.err(
                            at,
                            format!("MARKs nested deeper than {}", self.limits.max_marks),
                        );
                    }
                    self.marks.push(self.stack.len());
                }
                b'0' => {
                    self.pop(at, "POP")?;
                }
                b'1' => {
                    self.pop_mark(at, "POP_MARK")?;
                }
                b'2' => {
                    let id = self.top(at, "DUP")?;
                    self.stack.push(id);
                }
                // Memo.
                0x94 => {
                    let index = self.memo.len() as u32;
                    self.memo_put(index, at)?;
                }
                b'q' => {
                    let [i] = self.fixed::<1>("BINPUT", at)?;
                    self.memo_put(i as u32, at)?;
                }
                b'r' => {
                    let i = u32::from_le_bytes(self.fixed::<4>("LONG_BINPUT", at)?);
                    self.memo_put(i, at)?;
                }
                b'p' => {
                    let line = self.line("PUT", at)?;
                    let Ok(i) = line.parse::<u32>() else {
                        return self.err(at, format!("PUT index {line:?} is not a number"));
                    };
                    self.memo_put(i, at)?;
                }
                b'h' => {
                    let [i] = self.fixed::<1>("BINGET", at)?;
                    self.memo_get(i as u64, at)?;
                }
                b'j' => {
                    let i = u32::from_le_bytes(self.fixed::<4>("LONG_BINGET", at)?);
                    self.memo_get(i as u64, at)?;
                }
                b'g' => {
                    let line = self.line("GET", at)?;
                    let Ok(i) = line.parse::<u64>() else {
                        return self.err(at, format!("GET index {line:?} is not a number"));
                    };
                    self.memo_get(i, at)?;
                }
                // Constants and numbers.
                b'N' => self.push(Node::None, at)?,
                0x88 => self.push(Node::Bool(true), at)?,
                0x89 => self.push(Node::Bool(false), at)?,
                b'K' => {
                    let [v] = self.fixed::<1>("BININT1", at)?;
                    self.push(Node::Int(v as i64), at)?;
                }
                b'M' => {
                    let v = u16::from_le_bytes(self.fixed::<2>("BININT2", at)?);
                    self.push(Node::Int(v as i64), at)?;
                }
                b'J' => {
                    let v = i32::from_le_bytes(self.fixed::<4>("BININT", at)?);
                    self.push(Node::Int(v as i64), at)?;
                }
                b'I' => {
                    let line = self.line("INT", at)?;
                    let node = match line {
                        "00" => Node::Bool(false),
                        "01" => Node::Bool(true),
                        _ => match line.parse::<i64>() {
                            Ok(v) => Node::Int(v),
                            Err(_) => {
                                return self
                                    .err(at, format!("INT {line:?} is not a 64-bit integer"))
                            }
                        },
                    };
                    self.push(node, at)?;
                }
                0x8a => {
                    let [n] = self.fixed::<1>("LONG1", at)?;
                    self.long(n as u64, at)?;
                }
                0x8b => {
                    let n = u32::from_le_bytes(self.fixed::<4>("LONG4", at)?);
                    self.long(n as u64, at)?;
                }
                b'G' => {
                    let v = f64::from_be_bytes(self.fixed::<8>("BINFLOAT", at)?);
                    self.push(Node::Float(v), at)?;
                }
                // Strings and bytes.
                0x8c => {
                    let [n] = self.fixed::<1>("SHORT_BINUNICODE", at)?;
                    self.string(n as u64, at, "SHORT_BINUNICODE")?;
                }
                b'X' => {
                    let n = u32::from_le_bytes(self.fixed::<4>("BINUNICODE", at)?);
                    self.string(n as u64, at, "BINUNICODE")?;
                }
                0x8d => {
                    let n = u64::from_le_bytes(self.fixed::<8>("BINUNICODE8", at)?);
                    self.string(n, at, "BINUNICODE8")?;
                }
                b'C' => {
                    let [n] = self.fixed::<1>("SHORT_BINBYTES", at)?;
                    self.bytes(n as u64, at, "SHORT_BINBYTES")?;
                }
                b'B' => {
                    let n = u32::from_le_bytes(self.fixed::<4>("BINBYTES", at)?);
                    self.bytes(n as u64, at, "BINBYTES")?;
                }
                0x8e => {
                    let n = u64::from_le_bytes(self.fixed::<8>("BINBYTES8", at)?);
                    self.bytes(n, at, "BINBYTES8")?;
                }
                0x96 => {
                    let n = u64::from_le_bytes(self.fixed::<8>("BYTEARRAY8", at)?);
                    self.bytes(n, at, "BYTEARRAY8")?;
                }
                b'U' => {
                    let [n] = self.fixed::<1>("SHORT_BINSTRING", at)?;
                    self.bytes(n as u64, at, "SHORT_BINSTRING")?;
                }
                b'T' => {
                    let n = u32::from_le_bytes(self.fixed::<4>("BINSTRING", at)?);
                    self.bytes(n as u64, at, "BINSTRING")?;
                }
                0x97..=0x98 => {
                    return self.err(at, "out-of-band buffers (protocol 5 NEXT_BUFFER/READONLY_BUFFER) are not supported");
                }
                // Containers.
                b')' => self.push(Node::Tuple(Vec::new()), at)?,
                0x85..=0x87 => {
                    let n = (op - 0x84) as usize;
                    let floor = self.marks.last().copied().unwrap_or(0);
                    if self.stack.len() < floor + n {
                        return self.err(
                            at,
                            format!("TUPLE{n} with fewer than {n} items on the stack"),
                        );
                    }
                    let items = self.stack.split_off(self.stack.len() - n);
                    self.push(Node::Tuple(items), at)?;
                }
                b't' => {
                    let items = self.pop_mark(at, "TUPLE")?;
                    self.push(Node::Tuple(items), at)?;
                }
                b']' => self.push(Node::List(Vec::new()), at)?,
                b'l' => {
                    let items = self.pop_mark(at, "LIST")?;
                    self.push(Node::List(items), at)?;
                }
                b'}' => self.push(Node::Dict(Vec::new()), at)?,
                b'd' => {
                    let items = self.pop_mark(at, "DICT")?;
                    let id = self.push_node(Node::Dict(Vec::new()), at)?;
                    self.set_items(id, items, at)?;
                    self.stack.push(id);
                }
                0x8f => self.push(Node::Set(Vec::new()), at)?,
                0x90 => {
                    let items = self.pop_mark(at, "ADDITEMS")?;
                    let target = self.top(at, "ADDITEMS")?;
                    match &mut self.nodes[target.0 as usize] {
                        Node::Set(set) => set.extend(items),
                        _ => return self.err(at, "ADDITEMS on something that is not a set"),
                    }
                }
                0x91 => {
                    let items = self.pop_mark(at, "FROZENSET")?;
                    self.push(Node::Set(items), at)?;
                }
                b'a' => {
                    let item = self.pop(at, "APPEND")?;
                    let target = self.top(at, "APPEND")?;
                    self.append_items(target, vec![item], at)?;
                }
                b'e' => {
                    let items = self.pop_mark(at, "APPENDS")?;
                    let target = self.top(at, "APPENDS")?;
                    self.append_items(target, items, at)?;
                }
                b's' => {
                    let value = self.pop(at, "SETITEM")?;
                    let key = self.pop(at, "SETITEM")?;
                    let target = self.top(at, "SETITEM")?;
                    self.set_items(target, vec![key, value], at)?;
                }
                b'u' => {
                    let items = self.pop_mark(at, "SETITEMS")?;
                    let target = self.top(at, "SETITEMS")?;
                    self.set_items(target, items, at)?;
                }
                // Globals and object construction.
                b'c' => {
                    let module = self.line("GLOBAL module", at)?;
                    let name = self.line("GLOBAL name", at)?;
                    self.global(module, name, at)?;
                }
                0x93 => {
                    let name = self.pop(at, "STACK_GLOBAL")?;
                    let module = self.pop(at, "STACK_GLOBAL")?;
                    let (Some(module), Some(name)) = (self.str_of(module), self.str_of(name))
                    else {
                        return self.err(at, "STACK_GLOBAL needs two strings");
                    };
                    self.global(module, name, at)?;
                }
                b'R' => {
                    let args = self.pop(at, "REDUCE")?;
                    let callable = self.pop(at, "REDUCE")?;
                    self.object(CallKind::Reduce, callable, args, None, at)?;
                }
                0x81 => {
                    let args = self.pop(at, "NEWOBJ")?;
                    let cls = self.pop(at, "NEWOBJ")?;
                    self.object(CallKind::NewObj, cls, args, None, at)?;
                }
                0x92 => {
                    let kwargs = self.pop(at, "NEWOBJ_EX")?;
                    let args = self.pop(at, "NEWOBJ_EX")?;
                    let cls = self.pop(at, "NEWOBJ_EX")?;
                    self.object(CallKind::NewObj, cls, args, Some(kwargs), at)?;
                }
                b'b' => {
                    let state = self.pop(at, "BUILD")?;
                    let target = self.top(at, "BUILD")?;
                    match &mut self.nodes[target.0 as usize] {
                        Node::Object {
                            state: slot @ None, ..
                        } => *slot = Some(state),
                        Node::Object { .. } => {
                            return self.err(at, "BUILD applied twice to one object")
                        }
                        _ => return self.err(at, "BUILD on something that is not an object"),
                    }
                }
                b'P' => {
                    let line = self.line("PERSID", at)?;
                    let span = Span {
                        offset: (self.pos - line.len() - 1) as u64,
                        len: line.len() as u64,
                    };
                    let pid = self.push_node(Node::Str(span), at)?;
                    self.push(Node::PersistentId(pid), at)?;
                }
                b'Q' => {
                    let pid = self.pop(at, "BINPERSID")?;
                    self.push(Node::PersistentId(pid), at)?;
                }
                // Protocol 0 text forms.
                b'V' | b'S' => self.text_line(op, at)?,
                b'i' | b'o' => self.instance(op, at)?,
                b'F' => {
                    let line = self.line("FLOAT", at)?;
                    let Ok(v) = line.parse::<f64>() else {
                        return self.err(at, format!("FLOAT {line:?} is not a number"));
                    };
                    self.push(Node::Float(v), at)?;
                }
                b'L' => {
                    let line = self.line("LONG", at)?;
                    let digits = line.strip_suffix('L').unwrap_or(line);
                    let Ok(v) = digits.parse::<i64>() else {
                        return self.err(at, format!("LONG {line:?} is not a 64-bit integer"));
                    };
                    self.push(Node::Int(v), at)?;
                }
                0x82..=0x84 => {
                    let code = match op {
                        0x82 => u32::from(self.fixed::<1>("EXT1", at)?[0]),
                        0x83 => u32::from(u16::from_le_bytes(self.fixed::<2>("EXT2", at)?)),
                        _ => u32::from_le_bytes(self.fixed::<4>("EXT4", at)?),
                    };
                    return self.err(at, format!("extension registry code {code} (copyreg): the global it stands for cannot be known from the file; refused"));
                }
                _ => return self.err(at, format!("unknown opcode 0x{op:02x}")),
            }
        }
    }

    fn str_of(&self, id: NodeId) -> Option<&'a str> {
        match &self.nodes[id.0 as usize] {
            Node::Str(span) => {
                std::str::from_utf8(&self.data[span.offset as usize..][..span.len as usize]).ok()
            }
            _ => None,
        }
    }

    fn object(
        &mut self,
        kind: CallKind,
        callable: NodeId,
        args: NodeId,
        kwargs: Option<NodeId>,
        at: usize,
    ) -> PResult<()> {
        if !matches!(self.nodes[callable.0 as usize], Node::Global { .. }) {
            return self.err(at, "call of something that is not an allowlisted global");
        }
        if !matches!(self.nodes[args.0 as usize], Node::Tuple(_)) {
            return self.err(at, "call arguments are not a tuple");
        }
        self.push(
            Node::Object {
                kind,
                callable,
                args,
                kwargs,
                state: None,
            },
            at,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(data: &[u8]) -> Pickle<'_> {
        parse(data, Allowlist::NUMPY, Limits::default()).expect("parses")
    }

    fn parse_err(data: &[u8]) -> PickleError {
        parse(data, Allowlist::NUMPY, Limits::default()).expect_err("must fail")
    }

    /// Protocol 0, as CPython writes it: `pickle.dumps({'a': [1, 2.5, 'x'],
    /// 'b': 7}, protocol=0)`, then the text opcodes no dict uses.
    #[test]
    fn reads_protocol_0_text_opcodes() {
        let data = b"(dp0\nVa\np1\n(lp2\nI1\naF2.5\naVx\np3\nasVb\np4\nI7\ns.";
        let p = parse_ok(data);
        let a = p.seq(p.dict_get(p.root(), "a").unwrap()).unwrap();
        assert_eq!(p.int(a[0]), Some(1));
        assert_eq!(p.node(a[1]), &Node::Float(2.5));
        assert_eq!(p.str(a[2]), Some("x"));
        assert_eq!(p.int(p.dict_get(p.root(), "b").unwrap()), Some(7));
        let l = parse_ok(b"L12345678901L\n.");
        assert_eq!(l.int(l.root()), Some(12345678901));
        assert_eq!(p.end, data.len() as u64);
        // STRING: quoted; escaped text is kept escaped, never a name.
        let s = parse_ok(b"S'abc'\n.");
        assert_eq!(s.str(s.root()), Some("abc"));
        let esc = b"S'a\\nb'\n.";
        let q = parse_ok(esc);
        assert!(matches!(
            q.node(q.root()),
            Node::EscapedStr(_, Escapes::Repr)
        ));
        assert_eq!(q.str(q.root()), None);
        assert!(parse_err(b"Sabc\n.").message.contains("not quoted"));
    }

    /// INST and OBJ call a class: its name is checked like GLOBAL's.
    #[test]
    fn protocol_0_calls_name_their_global() {
        let e = parse_err(b"(S'echo pwned'\nios\nsystem\n.");
        assert_eq!(
            (e.offset, e.message.as_str()),
            (15, "unknown global os.system (refused, never resolved)")
        );
        let e = parse_err(b"(cos\nsystem\nS'id'\no.");
        assert_eq!(
            e.message,
            "unknown global os.system (refused, never resolved)"
        );
        let e = parse_err(b"(o.");
        assert!(e.message.contains("OBJ without a class"), "{}", e.message);
        let e = parse_err(b"\x80\x02\x82\x05.");
        assert!(
            e.message.contains("extension registry code 5"),
            "{}",
            e.message
        );
    }

    #[test]
    fn reads_nested_containers_and_memo() {
        // pickle.dumps({'a': [1, 'x'], 'b': (None, True)}, protocol=4)
        let data = b"\x80\x04\x95\x1b\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01a\x94]\x94(K\x01\x8c\x01x\x94e\x8c\x01b\x94N\x88\x86\x94u.";
        let p = parse_ok(data);
        let a = p.dict_get(p.root(), "a").unwrap();
        let items = p.seq(a).unwrap();
        assert_eq!(p.int(items[0]), Some(1));
        assert_eq!(p.str(items[1]), Some("x"));
        let b = p.seq(p.dict_get(p.root(), "b").unwrap()).unwrap();
        assert_eq!(p.node(b[0]), &Node::None);
        assert_eq!(p.node(b[1]), &Node::Bool(true));
        assert_eq!(p.end, data.len() as u64);
    }

    #[test]
    fn refuses_unknown_globals_by_name_and_offset() {
        let e = parse_err(b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.");
        assert_eq!(e.offset, 2);
        assert!(
            e.message.contains("unknown global os.system"),
            "{}",
            e.message
        );
        let e = parse_err(b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93.");
        assert!(
            e.message.contains("unknown global builtins.eval"),
            "{}",
            e.message
        );
        assert_eq!(e.offset, 18);
    }

    #[test]
    fn refuses_absurd_lengths_without_allocating() {
        let mut data = b"\x80\x04\x8e".to_vec();
        data.extend_from_slice(&(1u64 << 63).to_le_bytes());
        data.push(b'.');
        let e = parse_err(&data);
        assert_eq!(e.offset, 2);
        assert!(
            e.message.contains("claims 9223372036854775808 bytes"),
            "{}",
            e.message
        );
    }

    #[test]
    fn memo_gets_share_instead_of_copying() {
        // A list that holds itself many times over: each GET is one id.
        let mut data = b"\x80\x04]\x94".to_vec();
        for _ in 0..10_000 {
            data.extend_from_slice(b"h\x00a");
        }
        data.push(b'.');
        let p = parse_ok(&data);
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn deep_marks_are_bounded() {
        let data = vec![b'('; 100_000];
        let e = parse_err(&data);
        assert!(e.message.contains("nested deeper"), "{}", e.message);
    }

    #[test]
    fn truncation_is_reported_at_the_end() {
        let e = parse_err(b"\x80\x04K\x01");
        assert_eq!(e.offset, 4);
        assert!(e.message.contains("truncated"));
        let e = parse_err(b"\x80\x04C\x10abc");
        assert_eq!(e.offset, 2);
    }

    #[test]
    fn ordered_dict_keeps_its_setitems() {
        // pickle.dumps(collections.OrderedDict([('w', 1), ('b', 2)]), protocol=2)
        let data = b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01(X\x01\x00\x00\x00wq\x02K\x01X\x01\x00\x00\x00bq\x03K\x02u.";
        let p = parse(data, Allowlist::TORCH, Limits::default()).expect("parses");
        let root = p.root();
        assert!(matches!(p.node(root), Node::Object { .. }));
        let items = p.dict_items(root).expect("object items");
        let pairs: Vec<_> = items.iter().map(|(k, v)| (p.str(*k), p.int(*v))).collect();
        assert_eq!(pairs, [(Some("w"), Some(1)), (Some("b"), Some(2))]);
        assert!(p.object_items(root).is_some_and(|o| o.list.is_empty()));
        // A plain dict answers the same accessor.
        let p = parse_ok(b"}q\x00X\x01\x00\x00\x00aK\x05s.");
        assert_eq!(p.dict_items(p.root()).map(|i| i.len()), Some(1));
        assert_eq!(p.dict_items(p.dict_items(p.root()).unwrap()[0].1), None);
    }

    #[test]
    fn long_and_negative_ints() {
        let p = parse_ok(b"\x8a\x02\x00\xff.");
        assert_eq!(p.int(p.root()), Some(-256));
        let p = parse_ok(b"J\xff\xff\xff\xff.");
        assert_eq!(p.int(p.root()), Some(-1));
    }
}
