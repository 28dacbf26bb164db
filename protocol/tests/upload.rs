//! The signed statement of a blob upload (`specs/api.md` §2): what it
//! signs, that nothing in it can change without the signature failing, and
//! its headers.

use ed25519_dalek::SigningKey;
use refute_protocol::rules::{
    B32, BLOB_DOMAIN, BlobUpload, MSG_DOMAIN, RuleError, UploadHeaderError, blob_signing_bytes,
};

fn key() -> SigningKey {
    SigningKey::from_bytes(&[4; 32])
}

const GENESIS: B32 = B32([9; 32]);

#[test]
fn the_signed_bytes_are_the_domain_genesis_signer_hash_length_and_expiry() {
    let (signer, hash) = (B32([1; 32]), B32([2; 32]));
    let bytes = blob_signing_bytes(&GENESIS, &signer, &hash, 0x0102, 0x0a0b);
    assert_eq!(BLOB_DOMAIN, b"refute blob v1\0");
    // Neither domain is a prefix of the other: no upload's signed bytes are a message's.
    assert!(!BLOB_DOMAIN.starts_with(MSG_DOMAIN) && !MSG_DOMAIN.starts_with(BLOB_DOMAIN));
    let expected = [
        BLOB_DOMAIN,
        &GENESIS.0,
        &signer.0,
        &hash.0,
        &[2, 1, 0, 0, 0, 0, 0, 0],
        &[0x0b, 0x0a, 0, 0, 0, 0, 0, 0],
    ]
    .concat();
    assert_eq!(bytes, expected);
    assert_eq!(bytes.len(), 15 + 3 * 32 + 2 * 8);
}

#[test]
fn any_change_to_a_signed_upload_fails_its_signature() {
    let up = BlobUpload::sign(&GENESIS, &key(), b"some module", 1_000);
    assert_eq!(up.hash, B32::sha256(&[b"some module"]));
    assert_eq!((up.len, up.signer), (11, B32(key().verifying_key().to_bytes())));
    assert_eq!(up.verify(&GENESIS), Ok(()));
    assert_eq!(up.verify(&B32([8; 32])), Err(RuleError::BadSignature), "another arbiter");
    let changes: [&dyn Fn(&mut BlobUpload); 5] =
        [&|u| u.hash.0[31] ^= 1, &|u| u.len += 1, &|u| u.expires_ms += 1, &|u| u.signature.0[0] ^= 1, &|u| {
            u.signer = B32(SigningKey::from_bytes(&[5; 32]).verifying_key().to_bytes())
        }];
    for (i, change) in changes.iter().enumerate() {
        let mut u = up;
        change(&mut u);
        assert_eq!(u.verify(&GENESIS), Err(RuleError::BadSignature), "change {i}");
    }
    let mut not_a_key = [0; 32];
    not_a_key[0] = 2; // no point of the curve has y = 2
    let u = BlobUpload { signer: B32(not_a_key), ..up };
    assert_eq!(u.verify(&GENESIS), Err(RuleError::BadKey(B32(not_a_key))));
}

/// Decodes the headers `pairs` of an upload of 11 bytes.
fn decode(pairs: &[(&'static str, String)]) -> Result<BlobUpload, UploadHeaderError> {
    BlobUpload::from_headers(11, |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()))
}

#[test]
fn the_headers_carry_the_statement_and_nothing_else_decodes() {
    let up = BlobUpload::sign(&GENESIS, &key(), b"some module", u64::MAX);
    let headers = up.headers();
    assert_eq!(
        headers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        ["refute-signer", "refute-signature", "refute-hash", "refute-expires"]
    );
    assert_eq!(decode(&headers), Ok(up));
    // Either case of hex.
    let upper: Vec<_> = headers.iter().map(|(n, v)| (*n, v.to_uppercase())).collect();
    assert_eq!(decode(&upper), Ok(up));
    for i in 0..4 {
        let mut h = headers.to_vec();
        let (name, _) = h.remove(i);
        assert_eq!(decode(&h), Err(UploadHeaderError::Missing(name)));
    }
    let check = |i: usize, value: &str, expected: &str| {
        let mut h = headers.to_vec();
        h[i].1 = value.to_string();
        match decode(&h) {
            Err(UploadHeaderError::Malformed { header, expected: e, value: v }) => {
                assert_eq!((header, e), (headers[i].0, expected), "{value:?}");
                assert_eq!(v, value.chars().take(80).collect::<String>());
            }
            other => panic!("{value:?} decoded as {other:?}"),
        }
    };
    check(0, &"a".repeat(62), "64 hex digits");
    check(0, &"a".repeat(66), "64 hex digits");
    check(1, &format!("+{}", "a".repeat(127)), "128 hex digits");
    check(2, &" ".repeat(64), "64 hex digits");
    check(2, &"x".repeat(200), "64 hex digits");
    check(3, "", "a whole number of milliseconds below 2^64");
    check(3, "-1", "a whole number of milliseconds below 2^64");
    check(3, "18446744073709551616", "a whole number of milliseconds below 2^64");
}
