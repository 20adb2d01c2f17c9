//! Tensors whose bytes are not their own. A checkpoint whose tensors view
//! fewer bytes than their elements need (PyTorch views with stride 0) or
//! overlap one another can pass every shape check while holding a fraction
//! of the weights it claims: twelve tensors over one 4-byte storage "hold"
//! 760 parameters. Formats allow one kind of sharing — a tensor stored
//! once under two names (tied embeddings), same bytes, same shape, same
//! type — and nothing else.

use crate::formats::{StoredAs, TensorRecord};

/// What is wrong with the records of one file, one sentence each.
pub fn findings(records: &[TensorRecord]) -> Vec<String> {
    let mut out = Vec::new();
    for r in records {
        if r.stored_as != StoredAs::Array {
            continue;
        }
        let need = r
            .shape
            .iter()
            .try_fold(r.dtype.itemsize(), |acc, &d| acc.checked_mul(d));
        match need {
            None => out.push(format!("{}: its element count overflows 64 bits", label(r))),
            Some(need) if r.data.len < need => out.push(format!(
                "{}: {} elements of {} need {need} bytes but its view covers {} \
                 (stride 0 or an aliasing view): the weights are not all there",
                label(r),
                r.elements(),
                r.dtype,
                r.data.len
            )),
            _ => {}
        }
    }
    let mut spans: Vec<&TensorRecord> = records.iter().filter(|r| r.data.len > 0).collect();
    spans.sort_by_key(|r| (r.data.offset, r.data.len));
    for pair in spans.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let overlaps = b.data.offset < a.data.offset.saturating_add(a.data.len);
        let tied = a.data == b.data && a.shape == b.shape && a.dtype == b.dtype;
        if overlaps && !tied {
            out.push(format!(
                "{} and {} share bytes {}..{}: one storage viewed as two different tensors",
                label(a),
                label(b),
                b.data.offset,
                (a.data.offset + a.data.len).min(b.data.offset + b.data.len)
            ));
        }
    }
    out
}

fn label(r: &TensorRecord) -> String {
    r.name.clone().unwrap_or_else(|| "(unnamed tensor)".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::pickle::Span;
    use crate::formats::DType;

    fn rec(name: &str, shape: &[u64], offset: u64, len: u64) -> TensorRecord {
        TensorRecord {
            name: Some(name.into()),
            stored_as: StoredAs::Array,
            shape: shape.to_vec(),
            dtype: DType::Float32,
            data: Span { offset, len },
            scales: None,
        }
    }

    #[test]
    fn stride_zero_partial_overlap_and_tied_weights() {
        assert_eq!(
            findings(&[rec("a", &[2, 3], 0, 24), rec("b", &[6], 24, 24)]),
            Vec::<String>::new()
        );
        assert_eq!(
            findings(&[rec("embed", &[4], 0, 16), rec("head", &[4], 0, 16)]),
            Vec::<String>::new(),
            "tied weights are allowed"
        );
        assert_eq!(
            findings(&[rec("w", &[190], 0, 4)]),
            ["w: 190 elements of float32 need 760 bytes but its view covers 4 (stride 0 or an aliasing view): the weights are not all there"]
        );
        assert_eq!(
            findings(&[rec("a", &[4], 0, 16), rec("b", &[4], 8, 16)]),
            ["a and b share bytes 8..16: one storage viewed as two different tensors"]
        );
        assert_eq!(
            findings(&[rec("huge", &[1 << 62, 4], 0, 4)]),
            ["huge: its element count overflows 64 bits"]
        );
    }
}
