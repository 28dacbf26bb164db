//! The bot's secret sample salt (`specs/bots.md`, "Claim job"): made at the
//! first start, kept across restarts, different for every bot.

use refute_challenger::store::Store;
use refute_protocol::rules::B32;

#[test]
fn the_salt_is_secret_per_bot_and_kept_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let key = B32([1; 32]);
    let first = *Store::open(&dir.path().join("a"), &key).unwrap().salt();
    assert_ne!(first, B32::default(), "32 random bytes, not zeros");
    let again = *Store::open(&dir.path().join("a"), &key).unwrap().salt();
    assert_eq!(first, again, "a restarted bot samples the same claims");
    // Another bot, even with the same key, draws its own salt.
    let other = *Store::open(&dir.path().join("b"), &key).unwrap().salt();
    assert_ne!(first, other);
}
