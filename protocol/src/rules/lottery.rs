//! The committee lottery (`specs/protocol.md` §5.3).
//!
//! The seed of a claim's draw is the output of the arbiter's ECVRF
//! (RFC 9381, ECVRF-EDWARDS25519-SHA512-TAI) on the claim id, under the
//! arbiter's own ed25519 key. A VRF output is unique: for one key and one
//! input there is exactly one output that verifies, so the arbiter cannot
//! try several seeds and pick the draw it likes (as it could with a
//! signature, which a signer may make in many valid forms). The proof goes
//! in the service's note, so every replay of the log checks it.
//!
//! The committee is then drawn by stake: `committee_size` positions in
//! `[0, total stake)` derived from the seed, each mapped to the candidate
//! whose stake interval holds it ([`Stakes`]).

use curve25519_dalek::Scalar;
use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::SigningKey;
use vrf_rfc9381::ec::edwards25519::EdVrfProof;
use vrf_rfc9381::ec::edwards25519::tai::{EdVrfEdwards25519TaiPublicKey, EdVrfEdwards25519TaiSecretKey};
use vrf_rfc9381::{Proof as _, Prover as _, Verifier as _};

use super::stakes::Stakes;
use super::{B32, Params, RuleError, State, VrfProof};

/// Domain prefix of the VRF input of a claim's lottery. Version 2: an ECVRF
/// proof; version 1 was an ed25519 signature, which the arbiter could grind.
pub const LOTTERY_DOMAIN: &[u8] = b"refute lottery v2\0";
/// Domain prefix of a draw position.
pub const DRAW_DOMAIN: &[u8] = b"refute draw v1\0";

/// The VRF input for `claim`: `LOTTERY_DOMAIN ‖ claim_id`.
pub fn lottery_input(claim: &B32) -> Vec<u8> {
    [LOTTERY_DOMAIN, &claim.0].concat()
}

/// The arbiter's VRF proof for `claim` (the service calls this).
pub fn lottery_prove(arbiter: &SigningKey, claim: &B32) -> VrfProof {
    let sk =
        EdVrfEdwards25519TaiSecretKey::from_slice(&arbiter.to_bytes()).expect("an ed25519 seed is 32 bytes");
    // Try-and-increment fails only if 255 hashes in a row miss the curve,
    // with a probability near 2^-255.
    let proof = sk.prove(&lottery_input(claim)).expect("try-and-increment finds a point");
    VrfProof(proof.encode_to_pi().try_into().expect("an ECVRF-EDWARDS25519 proof is 80 bytes"))
}

/// The VRF output (`beta`, 64 bytes) that `proof` proves for `claim` under
/// the arbiter key `arbiter`, or `bad_lottery`.
///
/// Beyond the crate's checks, `Gamma` must be the canonical encoding of its
/// point and `s` a canonical scalar (below the group order), as RFC 9381's
/// `string_to_point` and `ECVRF_decode_proof` require, so each output has
/// one proof string and the log holds no malleable bytes.
pub fn lottery_output(arbiter: &B32, claim: &B32, proof: &VrfProof) -> Result<[u8; 64], RuleError> {
    let bad = || RuleError::BadLottery(*claim);
    let gamma: [u8; 32] = proof.0[..32].try_into().expect("32 bytes");
    let s: [u8; 32] = proof.0[48..].try_into().expect("32 bytes");
    let canonical_gamma = CompressedEdwardsY(gamma).decompress().is_some_and(|p| p.compress().0 == gamma);
    if !canonical_gamma || Scalar::from_canonical_bytes(s).into_option().is_none() {
        return Err(bad());
    }
    let key = EdVrfEdwards25519TaiPublicKey::from_slice(&arbiter.0).map_err(|_| bad())?;
    let pi = EdVrfProof::decode_pi(&proof.0).map_err(|_| bad())?;
    let beta = key.verify(&lottery_input(claim), pi).map_err(|_| bad())?;
    Ok(beta.into())
}

/// Position `i` of a draw with seed `beta` over a total stake `total > 0`:
/// `u128_be(SHA256(DRAW_DOMAIN ‖ beta ‖ u32le(i))[..16]) mod total`. With
/// `total < 2^64`, the reduction of a 128-bit number favours no position by
/// more than `total / 2^128 < 2^-64` in probability.
pub fn position(beta: &[u8; 64], i: u32, total: u64) -> u64 {
    let h = B32::sha256(&[DRAW_DOMAIN, beta, &i.to_le_bytes()]);
    let x = u128::from_be_bytes(h.0[..16].try_into().expect("16 bytes"));
    (x % u128::from(total)) as u64
}

/// The committee for a claim by `solver` with VRF output `beta`, from the
/// candidates registered in `s` (tools and tests; the rules keep the
/// candidates indexed).
pub fn draw(s: &State, p: &Params, solver: &B32, beta: &[u8; 64]) -> Vec<B32> {
    pick(&Stakes::of(s), p, solver, beta)
}

/// The committee: positions `0, 1, …` drawn by stake, each giving the
/// candidate whose stake interval holds it; the solver and candidates
/// already drawn are skipped. It stops at `committee_size` members or after
/// `4 · committee_size` positions, whichever comes first, so it costs
/// O(committee_size · log n) and has at most `committee_size` members.
pub(crate) fn pick(stakes: &Stakes, p: &Params, solver: &B32, beta: &[u8; 64]) -> Vec<B32> {
    let mut members = Vec::new();
    let total = stakes.total();
    if total == 0 {
        return members;
    }
    let size = p.committee_size as usize;
    for i in 0..4 * p.committee_size as u32 {
        if members.len() == size {
            break;
        }
        let k = stakes.owner_at(position(beta, i, total));
        if k != *solver && !members.contains(&k) {
            members.push(k);
        }
    }
    members.sort_unstable();
    members
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Account, from_hex};

    fn hex<const N: usize>(s: &str) -> [u8; N] {
        from_hex(s).unwrap().try_into().unwrap()
    }

    /// RFC 9381 Appendix B.3 (ECVRF-EDWARDS25519-SHA512-TAI): (secret key,
    /// public key, alpha, pi, beta). Matching pi byte for byte pins the
    /// hash to the curve, the nonce, the challenge and the encoding.
    const VECTORS: [(&str, &str, &str, &str, &str); 3] = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "8657106690b5526245a92b003bb079ccd1a92130477671f6fc01ad16f26f723f26f8a57ccaed74ee1b190bed1f479d9727d2d0f9b005a6e456a35d4fb0daab1268a1b0db10836d9826a528ca76567805",
            "90cf1df3b703cce59e2a35b925d411164068269d7b2d29f3301c03dd757876ff66b71dda49d2de59d03450451af026798e8f81cd2e333de5cdf4f3e140fdd8ae",
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "f3141cd382dc42909d19ec5110469e4feae18300e94f304590abdced48aed5933bf0864a62558b3ed7f2fea45c92a465301b3bbf5e3e54ddf2d935be3b67926da3ef39226bbc355bdc9850112c8f4b02",
            "eb4440665d3891d668e7e0fcaf587f1b4bd7fbfe99d0eb2211ccec90496310eb5e33821bc613efb94db5e5b54c70a848a0bef4553a41befc57663b56373a5031",
        ),
        (
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "9bc0f79119cc5604bf02d23b4caede71393cedfbb191434dd016d30177ccbf8096bb474e53895c362d8628ee9f9ea3c0e52c7a5c691b6c18c9979866568add7a2d41b00b05081ed0f58ee5e31b3a970e",
            "645427e5d00c62a23fb703732fa5d892940935942101e456ecca7bb217c61c452118fec1219202a0edcf038bb6373241578be7217ba85a2687f7a0310b2df19f",
        ),
    ];

    /// The crate computes RFC 9381's own vectors from an ed25519 seed, so
    /// the VRF key is the arbiter's ed25519 key.
    #[test]
    fn the_vrf_is_rfc_9381s() {
        for (sk, pk, alpha, pi, beta) in VECTORS {
            let signing = SigningKey::from_bytes(&hex(sk));
            assert_eq!(signing.verifying_key().to_bytes(), hex::<32>(pk));
            let secret = EdVrfEdwards25519TaiSecretKey::from_slice(&hex::<32>(sk)).unwrap();
            let alpha = from_hex(alpha).unwrap();
            let proof = secret.prove(&alpha).unwrap().encode_to_pi();
            assert_eq!(proof, hex::<80>(pi));
            let public = EdVrfEdwards25519TaiPublicKey::from_slice(&hex::<32>(pk)).unwrap();
            let out = public.verify(&alpha, EdVrfProof::decode_pi(&proof).unwrap()).unwrap();
            assert_eq!(<[u8; 64]>::from(out), hex::<64>(beta));
        }
    }

    fn arbiter() -> (SigningKey, B32) {
        let k = SigningKey::from_bytes(&[7; 32]);
        let pk = B32(k.verifying_key().to_bytes());
        (k, pk)
    }

    /// A proof verifies for its claim under its key only, and every other
    /// proof string is refused: flipped bits, another key's proof, and the
    /// non-canonical spellings of the same proof (`s + q`, which the
    /// crate alone would take).
    #[test]
    fn only_the_arbiters_proof_of_the_claim_verifies() {
        let (k, pk) = arbiter();
        let claim = B32([1; 32]);
        let proof = lottery_prove(&k, &claim);
        let beta = lottery_output(&pk, &claim, &proof).unwrap();
        assert_eq!(lottery_prove(&k, &claim), proof, "the proof is deterministic");
        let bad = Err(RuleError::BadLottery(claim));
        assert_eq!(lottery_output(&pk, &B32([2; 32]), &proof), Err(RuleError::BadLottery(B32([2; 32]))));
        let other = SigningKey::from_bytes(&[8; 32]);
        assert_eq!(lottery_output(&pk, &claim, &lottery_prove(&other, &claim)), bad);
        assert_eq!(lottery_output(&B32([0; 32]), &claim, &proof), bad, "not a key");
        for byte in [0, 31, 32, 47, 48, 79] {
            let mut p = proof;
            p.0[byte] ^= 1;
            assert_eq!(lottery_output(&pk, &claim, &p), bad, "byte {byte} flipped");
        }
        // s + q: the same scalar mod q, so the crate's check alone passes it.
        // The group order q = 2^252 + 27742317777372353535851937790883648493, little-endian.
        let q: [u8; 32] = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        let mut p = proof;
        let mut carry = 0u16;
        for (b, qi) in p.0[48..].iter_mut().zip(q) {
            let sum = u16::from(*b) + u16::from(qi) + carry;
            *b = sum as u8;
            carry = sum >> 8;
        }
        // s < q < 2^253, so s + q fits 32 bytes.
        assert_eq!(carry, 0);
        let crate_alone = EdVrfEdwards25519TaiPublicKey::from_slice(&pk.0)
            .unwrap()
            .verify(&lottery_input(&claim), EdVrfProof::decode_pi(&p.0).unwrap());
        assert_eq!(crate_alone.map(<[u8; 64]>::from).ok(), Some(beta), "the crate takes s + q");
        assert_eq!(lottery_output(&pk, &claim, &p), bad, "a non-canonical s");
        // A small-order Gamma: the identity, which decodes.
        let mut p = proof;
        p.0[..32].copy_from_slice(&CompressedEdwardsY::default().0);
        p.0[0] = 1;
        assert_eq!(lottery_output(&pk, &claim, &p), bad);
        assert_eq!(lottery_output(&pk, &claim, &proof), Ok(beta));
    }

    /// Candidates `1..=n` with the given stakes, registered in that order.
    fn state(stakes: &[u64]) -> State {
        let mut s = State::default();
        for (i, &stake) in stakes.iter().enumerate() {
            let a = Account { stake: Some(stake), slot: Some(i as u32), ..Account::default() };
            s.accounts.insert(B32([i as u8 + 1; 32]), a);
        }
        s
    }

    fn params(size: u64) -> Params {
        Params { committee_size: size, ..Params::local(arbiter().1) }
    }

    /// A candidate is drawn in proportion to its stake: 10^4 committees of
    /// one (the solver is not a candidate), with fixed seeds, so the test
    /// cannot flake; the counts pass a chi-square test at the 0.1 % level
    /// and each is within 4 standard deviations of its expectation.
    #[test]
    fn draws_follow_the_stakes() {
        let stakes = [1_000, 2_000, 3_000, 4_000, 10_000, 50_000, 1];
        let s = state(&stakes);
        let total: u64 = stakes.iter().sum();
        let p = params(1);
        let solver = B32([0xee; 32]);
        let mut counts = [0u64; 7];
        let rounds = 10_000;
        for r in 0u32..rounds {
            let beta = [B32::sha256(&[b"seed", &r.to_le_bytes()]).0, [0; 32]].concat();
            let members = draw(&s, &p, &solver, &beta.try_into().unwrap());
            assert_eq!(members.len(), 1);
            counts[usize::from(members[0].0[0] - 1)] += 1;
        }
        let mut chi2 = 0.0;
        for (c, stake) in counts.iter().zip(stakes) {
            let expected = f64::from(rounds) * stake as f64 / total as f64;
            let d = *c as f64 - expected;
            chi2 += d * d / expected.max(1.0);
            assert!(
                d.abs() <= 4.0 * expected.sqrt() + 2.0,
                "stake {stake}: {c} drawn, {expected:.0} expected"
            );
        }
        // 6 degrees of freedom: P(chi2 > 22.46) = 0.001.
        assert!(chi2 < 22.46, "chi-square {chi2:.2} for {counts:?}");
    }

    /// The solver is never drawn, nor anyone twice; a full committee stops
    /// early; a whale that is the solver leaves the others what the
    /// `4 · size` positions reach.
    #[test]
    fn a_committee_skips_the_solver_and_duplicates() {
        let p = params(4);
        let s = state(&[10, 10, 10, 10, 10, 10, 10, 10]);
        for r in 0u8..200 {
            let beta = [r; 64];
            let solver = B32([1 + r % 8; 32]);
            let m = draw(&s, &p, &solver, &beta);
            assert_eq!(m.len(), 4, "eight candidates fill a committee of four");
            assert!(!m.contains(&solver));
            assert!(m.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicate");
        }
        // One candidate besides the solver: at most one member.
        let s = state(&[10, 10]);
        assert_eq!(draw(&s, &p, &B32([1; 32]), &[3; 64]), vec![B32([2; 32])]);
        // No stake, no committee; a committee size of 0, none either.
        assert!(draw(&State::default(), &p, &B32([1; 32]), &[3; 64]).is_empty());
        assert!(draw(&state(&[5, 5, 5]), &params(0), &B32([9; 32]), &[3; 64]).is_empty());
        // A solver with nearly all the stake: the 16 positions mostly land
        // on it, and the committee is whoever the others drew, never more.
        let s = state(&[1_000_000, 1, 1, 1]);
        for r in 0u8..50 {
            assert!(draw(&s, &p, &B32([1; 32]), &[r; 64]).len() <= 3);
        }
    }

    /// Positions cover `[0, total)` and a total of one maps everything to 0.
    #[test]
    fn positions_lie_below_the_total() {
        let beta = [9; 64];
        for total in [1, 2, 3, 1000, u64::MAX] {
            for i in 0..64 {
                assert!(position(&beta, i, total) < total);
            }
        }
        assert_eq!(position(&beta, 5, 1), 0);
        assert_ne!(position(&beta, 0, u64::MAX), position(&beta, 1, u64::MAX));
    }
}
