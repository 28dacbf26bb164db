//! The signed, hash-chained event log.
