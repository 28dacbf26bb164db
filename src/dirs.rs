//! Preopened directories on the command line (`--dir HOST::GUEST`): HOST
//! read in full before the run, and the final tree written back (only what
//! changed) or saved elsewhere (`--save-dir`) after it.

use anyhow::{Context, Result, bail};
use refute_engine::fs::{FsNode, Preopen};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A `--dir` argument: the host directory and the guest path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirArg {
    /// The directory on this machine.
    pub host: PathBuf,
    /// The path the guest sees.
    pub guest: String,
}

/// Parses `HOST::GUEST`, or `DIR` alone (the guest sees the same path).
pub fn parse_dir(s: &str) -> Result<DirArg, String> {
    let (host, guest) = s.split_once("::").unwrap_or((s, s));
    if host.is_empty() || guest.is_empty() {
        return Err(format!("--dir {s:?} is not HOST::GUEST"));
    }
    Ok(DirArg { host: PathBuf::from(host), guest: guest.to_string() })
}

/// Reads the tree under `dir` in full. Symlinks, special files and names
/// that are not UTF-8 are refused, with the path in the message.
pub fn read_tree(dir: &Path) -> Result<BTreeMap<String, FsNode>> {
    let meta =
        std::fs::symlink_metadata(dir).with_context(|| format!("cannot read directory {}", dir.display()))?;
    if !meta.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let mut out = BTreeMap::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for e in entries {
        let e = e.with_context(|| format!("cannot list {}", dir.display()))?;
        let path = e.path();
        let Some(name) = e.file_name().to_str().map(String::from) else {
            bail!("{}: the name is not UTF-8, which a guest cannot see", path.display());
        };
        let ft =
            std::fs::symlink_metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let node = if ft.file_type().is_symlink() {
            bail!(
                "{} is a symbolic link: preopened directories hold only files and directories",
                path.display()
            );
        } else if ft.is_dir() {
            FsNode::Dir(read_tree(&path)?)
        } else if ft.is_file() {
            // Refused before reading: a file the engine would refuse costs no memory.
            if ft.len() > refute_engine::fs::MAX_FILE_BYTES {
                bail!(
                    "{} is {} bytes; a preopened file holds at most {} bytes",
                    path.display(),
                    ft.len(),
                    refute_engine::fs::MAX_FILE_BYTES
                );
            }
            FsNode::File(std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?)
        } else {
            bail!(
                "{} is a special file: preopened directories hold only files and directories",
                path.display()
            );
        };
        out.insert(name, node);
    }
    Ok(out)
}

/// Reads each `--dir` into a preopen, in order.
pub fn read_preopens(dirs: &[DirArg]) -> Result<Vec<Preopen>> {
    dirs.iter().map(|d| Ok(Preopen { guest: d.guest.clone(), root: read_tree(&d.host)? })).collect()
}

/// A file written after the run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    /// Where.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of its bytes, hex.
    pub sha256: String,
}

/// What writing a tree back did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct WriteBack {
    /// Files written (new or changed).
    pub written: Vec<Written>,
    /// Directories created.
    pub created: Vec<String>,
    /// Files and directories removed.
    pub removed: Vec<String>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn write_file(path: &Path, bytes: &[u8], out: &mut WriteBack) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    out.written.push(Written {
        path: path.display().to_string(),
        size: bytes.len() as u64,
        sha256: hex(&Sha256::digest(bytes)),
    });
    Ok(())
}

fn remove(path: &Path, node: &FsNode, out: &mut WriteBack) -> Result<()> {
    match node {
        FsNode::File(_) => std::fs::remove_file(path),
        FsNode::Dir(_) => std::fs::remove_dir_all(path),
    }
    .with_context(|| format!("cannot remove {}", path.display()))?;
    out.removed.push(path.display().to_string());
    Ok(())
}

/// Makes `dir` (which held `before`) hold `after`, touching only what
/// changed: files whose bytes differ or are new, directories created, and
/// entries the guest removed (or replaced by another kind).
pub fn write_back(
    dir: &Path,
    before: &BTreeMap<String, FsNode>,
    after: &BTreeMap<String, FsNode>,
    out: &mut WriteBack,
) -> Result<()> {
    for (name, old) in before {
        let same_kind = matches!(
            (old, after.get(name)),
            (FsNode::File(_), Some(FsNode::File(_))) | (FsNode::Dir(_), Some(FsNode::Dir(_)))
        );
        if !same_kind {
            remove(&dir.join(name), old, out)?;
        }
    }
    for (name, new) in after {
        let path = dir.join(name);
        match (before.get(name), new) {
            (Some(FsNode::File(old)), FsNode::File(b)) if old == b => {}
            (_, FsNode::File(b)) => write_file(&path, b, out)?,
            (Some(FsNode::Dir(old)), FsNode::Dir(sub)) => write_back(&path, old, sub, out)?,
            (_, FsNode::Dir(sub)) => {
                std::fs::create_dir(&path).with_context(|| format!("cannot create {}", path.display()))?;
                out.created.push(path.display().to_string());
                write_back(&path, &BTreeMap::new(), sub, out)?;
            }
        }
    }
    Ok(())
}

/// Where `--save-dir DIR` puts the preopen with guest path `guest`:
/// `DIR` joined with the guest path's components (`DIR` itself for `.` or
/// `/`). A `..` is refused: files a claim names come from whoever made the
/// claim, and must land under `DIR`.
pub fn save_path(dir: &Path, guest: &str) -> Result<PathBuf> {
    let mut out = dir.to_path_buf();
    for part in guest.split('/').filter(|p| !p.is_empty() && *p != ".") {
        safe_name(part)?;
        out.push(part);
    }
    Ok(out)
}

/// Refuses a name that is not one plain path component.
fn safe_name(name: &str) -> Result<()> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\', '\0']) {
        anyhow::bail!("the name {name:?} would not stay under the directory the files are saved in");
    }
    Ok(())
}

/// Writes the whole of `tree` under `dir` (created if missing), as
/// `--save-dir` does: every file is written; nothing else there is touched.
/// A name that is not one plain path component is refused.
pub fn save(dir: &Path, tree: &BTreeMap<String, FsNode>, out: &mut WriteBack) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, node) in tree {
        safe_name(name)?;
        let path = dir.join(name);
        match node {
            FsNode::File(b) => write_file(&path, b, out)?,
            FsNode::Dir(sub) => save(&path, sub, out)?,
        }
    }
    Ok(())
}

/// Saves every preopen of `fs` under `dir` ([`save_path`], [`save`]):
/// what `--save-dir` does with a claim's output files.
pub fn save_fs(dir: &Path, fs: &refute_engine::fs::Fs) -> Result<WriteBack> {
    let mut out = WriteBack::default();
    for p in fs.preopens() {
        save(&save_path(dir, &p.guest)?, &p.root, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_arguments_parse() {
        assert_eq!(parse_dir("rtl::/rtl").unwrap(), DirArg { host: "rtl".into(), guest: "/rtl".into() });
        assert_eq!(parse_dir("/tmp/x").unwrap(), DirArg { host: "/tmp/x".into(), guest: "/tmp/x".into() });
        assert!(parse_dir("::/g").is_err());
        assert!(parse_dir("h::").is_err());
        assert_eq!(save_path(Path::new("out"), "/rtl").unwrap(), PathBuf::from("out/rtl"));
        assert_eq!(save_path(Path::new("out"), ".").unwrap(), PathBuf::from("out"));
        assert_eq!(save_path(Path::new("out"), "/a/./b/").unwrap(), PathBuf::from("out/a/b"));
        assert!(save_path(Path::new("out"), "/../etc").is_err());
    }

    #[test]
    fn saving_refuses_names_that_leave_the_directory() {
        let dir = std::env::temp_dir().join(format!("refute-save-{}", std::process::id()));
        for bad in ["..", "a/b", ".", ""] {
            let tree = BTreeMap::from([(bad.to_string(), FsNode::File(b"x".to_vec()))]);
            let err = save(&dir, &tree, &mut WriteBack::default()).unwrap_err();
            assert!(err.to_string().contains("would not stay under"), "{bad:?}: {err}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
