//! The arbiter's key file (and a player's: `refute keys new`): the raw
//! 32-byte ed25519 secret with mode 0600, created atomically.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use refute_protocol::log::ArbiterKey;
use thiserror::Error;

/// Why the key file could not be loaded or created.
#[derive(Debug, Error)]
pub enum KeyError {
    /// Reading, creating or syncing the file failed.
    #[error("key file {path}: cannot {op}: {source}")]
    Io {
        /// The file (or its directory).
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
    /// The file is not 32 bytes long, so it is not a key written by this program.
    #[error(
        "key file {path} is corrupt: {len} bytes where a 32-byte ed25519 secret is expected; \
         restore it from a backup (a new key would start a different log)"
    )]
    WrongLength {
        /// The file.
        path: PathBuf,
        /// Its length.
        len: u64,
    },
    /// The file can be read or written by other users.
    #[error("key file {path} has mode {mode:o}, open to other users; run `chmod 600 {path}`")]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The operating system's random number generator failed.
    #[error("cannot generate a key: the OS random number generator failed: {0}")]
    Random(getrandom::Error),
}

/// A fresh key from the operating system's random number generator.
pub fn generate() -> Result<ArbiterKey, KeyError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(KeyError::Random)?;
    let key = ArbiterKey::from_secret(&secret);
    secret.fill(0);
    Ok(key)
}

/// Loads the key at `path`, or creates one there if there is no file.
///
/// The file holds the raw 32-byte secret with mode 0600. It is created under a
/// temporary name, synced, then linked into place, so a crash never leaves a partial
/// key behind and two processes racing to create it end up with the same key.
/// A file of another length, or one open to other users, is refused.
pub fn load_or_create(path: &Path) -> Result<ArbiterKey, KeyError> {
    match load(path) {
        Err(KeyError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {}
        loaded => return loaded,
    }
    let key = generate()?;
    let io = |op| move |source| KeyError::Io { path: path.to_owned(), op, source };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp_name);
    let written = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        file.write_all(key.secret())?;
        file.sync_all()
    })();
    let linked = written.and_then(|()| fs::hard_link(&tmp, path));
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        // Another process created the key first: use theirs.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return load(path),
        Err(e) => return Err(io("create")(e)),
    }
    File::open(dir).and_then(|d| d.sync_all()).map_err(io("sync the directory of"))?;
    Ok(key)
}

/// Loads the key at `path`: exactly 32 bytes, not open to other users.
pub fn load(path: &Path) -> Result<ArbiterKey, KeyError> {
    let io = |op| move |source| KeyError::Io { path: path.to_owned(), op, source };
    let mut file = File::open(path).map_err(io("open"))?;
    let meta = file.metadata().map_err(io("stat"))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions { path: path.to_owned(), mode });
    }
    if meta.len() != 32 {
        return Err(KeyError::WrongLength { path: path.to_owned(), len: meta.len() });
    }
    let mut secret = [0u8; 32];
    file.read_exact(&mut secret).map_err(io("read"))?;
    let key = ArbiterKey::from_secret(&secret);
    secret.fill(0);
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        refute_protocol::log::hex_string(b)
    }

    #[test]
    fn key_file_is_created_private_and_reloaded() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("arbiter.key");
        let created = load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read(&path).unwrap().len(), 32);
        assert_eq!(load_or_create(&path).unwrap().public(), created.public());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");
        assert!(!format!("{created:?}").contains(&hex(&std::fs::read(&path).unwrap())));
    }

    #[test]
    fn key_file_errors_are_clear() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("arbiter.key");
        load_or_create(&path).unwrap();
        std::fs::write(&path, [1; 31]).unwrap();
        let err = load_or_create(&path).unwrap_err();
        assert!(matches!(err, KeyError::WrongLength { len: 31, .. }), "{err}");
        assert!(err.to_string().contains("arbiter.key is corrupt: 31 bytes"), "{err}");
        std::fs::write(&path, [1; 32]).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create(&path).unwrap_err();
        assert!(matches!(err, KeyError::Permissions { mode: 0o644, .. }), "{err}");
        let missing_dir = dir.path().join("no/such/dir/arbiter.key");
        let err = load_or_create(&missing_dir).unwrap_err();
        assert!(err.to_string().contains("cannot create"), "{err}");
    }
}
