//! model_signing bundles, their statements and their X.509 chains on
//! arbitrary bytes: parsing and chain checking return, never panic, and
//! nothing chains to a root that did not sign it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weightcheck::signing::certificate::{signer_key, Anchors};
use weightcheck::signing::{bundle, statement};

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = bundle::parse(data) {
        if let Some(chain) = &b.verification_material.x509_certificate_chain {
            let _ = chain.der();
        }
    }
    let _ = statement::Signed::parse(data);
    // The input as roots and as the bundle's certificates: whatever
    // verifies must be a chain the input itself signed.
    if let Ok(anchors) = Anchors::from_pem(data) {
        let _ = signer_key(&[data.to_vec()], &anchors);
    }
    let half = data.len() / 2;
    if let Ok(anchors) = Anchors::from_pem(&data[..half]) {
        let _ = signer_key(&[data[half..].to_vec()], &anchors);
    }
});
