//! The file calls' errno cases (`specs/host.md`, "Files"), one line each,
//! through `wasi::call_with_memory` (the same micro-steps the engine runs)
//! on a preopened directory `/d` holding `a.txt` ("hello") and `sub/`.

use refute_engine::HostState;
use refute_engine::fs::{self, Fs, FsNode, Preopen};
use refute_engine::wasi::{Wasi, call_with_memory, errno::*};
use std::collections::BTreeMap;

/// Where paths, results and buffers go in guest memory.
const PATH: u64 = 1000;
const OUT: u64 = 900;
const BUF: u64 = 8192;
const IOV: u64 = 960;
/// `fd_read | fd_write` rights.
const RW: u64 = (1 << 1) | (1 << 6);
const O_CREAT: u64 = 1;
const O_DIRECTORY: u64 = 2;
const O_EXCL: u64 = 4;

struct Env {
    host: HostState,
    mem: Vec<u8>,
}

fn tree(entries: Vec<(String, FsNode)>) -> BTreeMap<String, FsNode> {
    entries.into_iter().collect()
}

fn env_with(root: BTreeMap<String, FsNode>) -> Env {
    let host = HostState { fs: Fs::new(&[Preopen { guest: "/d".into(), root }]), ..HostState::default() };
    Env { host, mem: vec![0; 65536] }
}

fn env() -> Env {
    env_with(tree(vec![
        ("a.txt".into(), FsNode::File(b"hello".to_vec())),
        ("sub".into(), FsNode::Dir(BTreeMap::new())),
    ]))
}

impl Env {
    fn call(&mut self, w: Wasi, args: &[u64]) -> u32 {
        call_with_memory(w, args, &mut self.mem, &mut self.host, 0).unwrap()
    }
    fn u32_at(&self, at: u64) -> u32 {
        u32::from_le_bytes(self.mem[at as usize..at as usize + 4].try_into().unwrap())
    }
    /// Puts `path` at `PATH` and returns its length.
    fn path(&mut self, path: &[u8]) -> u64 {
        self.mem[PATH as usize..PATH as usize + path.len()].copy_from_slice(path);
        path.len() as u64
    }
    fn open_at(&mut self, dirfd: u64, path: &[u8], oflags: u64, rights: u64) -> Result<u64, u32> {
        let n = self.path(path);
        match self.call(Wasi::PathOpen, &[dirfd, 0, PATH, n, oflags, rights, rights, 0, OUT]) {
            0 => Ok(self.u32_at(OUT) as u64),
            e => Err(e),
        }
    }
    fn open(&mut self, path: &str, oflags: u64, rights: u64) -> Result<u64, u32> {
        self.open_at(3, path.as_bytes(), oflags, rights)
    }
    fn path_call(&mut self, w: Wasi, path: &str) -> u32 {
        let n = self.path(path.as_bytes());
        self.call(w, &[3, PATH, n])
    }
    /// `fd_pwrite` of `n` bytes at `offset`.
    fn pwrite(&mut self, fd: u64, offset: u64, n: u32) -> u32 {
        self.mem[IOV as usize..IOV as usize + 8]
            .copy_from_slice(&[(BUF as u32).to_le_bytes(), n.to_le_bytes()].concat());
        self.call(Wasi::FdPwrite, &[fd, IOV, 1, offset, OUT])
    }
}

#[test]
fn paths_resolve_inside_their_directory_only() {
    let mut e = env();
    let check = |e: &mut Env, path: &[u8], expected: Result<(), u32>| {
        assert_eq!(e.open_at(3, path, 0, RW).map(|_| ()), expected, "{}", String::from_utf8_lossy(path));
    };
    check(&mut e, b"a.txt", Ok(()));
    check(&mut e, b"./sub/../a.txt", Ok(()));
    check(&mut e, b"sub//../a.txt", Ok(()));
    check(&mut e, b"/d/a.txt", Err(PERM));
    check(&mut e, b"../d/a.txt", Err(PERM));
    check(&mut e, b"sub/../../d/a.txt", Err(PERM));
    check(&mut e, b"missing", Err(NOENT));
    check(&mut e, b"missing/x", Err(NOENT));
    check(&mut e, b"a.txt/x", Err(NOTDIR));
    check(&mut e, b"", Err(NOENT));
    check(&mut e, &[b'n'; 256], Err(NAMETOOLONG));
    assert_eq!(e.open_at(3, &[b'n'; 255], 0, RW), Err(NOENT));
    assert_eq!(e.call(Wasi::PathOpen, &[3, 0, PATH, 5000, 0, RW, RW, 0, OUT]), NAMETOOLONG);
    assert_eq!(e.call(Wasi::PathOpen, &[3, 0, 65530, 10, 0, RW, RW, 0, OUT]), FAULT);
    assert_eq!(e.open_at(9, b"a.txt", 0, RW), Err(BADF));
    let f = e.open("a.txt", 0, RW).unwrap();
    assert_eq!(e.open_at(f, b"x", 0, RW), Err(NOTDIR));
    assert_eq!(e.open("a.txt", O_CREAT | O_EXCL, RW), Err(EXIST));
    assert_eq!(e.open("a.txt", O_DIRECTORY, RW), Err(NOTDIR));
    assert_eq!(e.open("sub", 0, RW), Err(ISDIR));
    assert!(e.open("sub", O_DIRECTORY, 1 << 1).is_ok());
    assert_eq!(e.open("new/x", O_CREAT, RW), Err(NOENT));
    assert!(e.open("sub/new", O_CREAT, RW).is_ok());
    assert_eq!(e.open_at(3, b"bad\xff", O_CREAT, RW), Err(ILSEQ));
    assert_eq!(e.open_at(3, b"nul\0", O_CREAT, RW), Err(ILSEQ));
    assert_eq!(e.open_at(3, "é.txt".as_bytes(), O_CREAT, RW).map(|_| ()), Ok(()));
    assert_eq!(e.path_call(Wasi::PathReadlink, "a.txt"), INVAL);
    assert_eq!(e.path_call(Wasi::PathReadlink, "nope"), NOENT);
}

#[test]
fn directories_change_only_as_posix_allows() {
    let mut e = env();
    assert_eq!(e.path_call(Wasi::PathCreateDirectory, "sub"), EXIST);
    assert_eq!(e.path_call(Wasi::PathCreateDirectory, "sub/inner"), SUCCESS);
    assert_eq!(e.path_call(Wasi::PathRemoveDirectory, "sub"), NOTEMPTY);
    assert_eq!(e.path_call(Wasi::PathRemoveDirectory, "."), INVAL);
    assert_eq!(e.path_call(Wasi::PathRemoveDirectory, "a.txt"), NOTDIR);
    assert_eq!(e.path_call(Wasi::PathUnlinkFile, "sub"), ISDIR);
    assert_eq!(e.path_call(Wasi::PathUnlinkFile, "nope"), NOENT);
    let rename = |e: &mut Env, from: &str, to: &str| {
        let n = e.path(from.as_bytes());
        e.mem[2000..2000 + to.len()].copy_from_slice(to.as_bytes());
        e.call(Wasi::PathRename, &[3, PATH, n, 3, 2000, to.len() as u64])
    };
    assert_eq!(rename(&mut e, "sub", "sub/inner/deeper"), INVAL);
    assert_eq!(rename(&mut e, "a.txt", "sub"), ISDIR);
    assert_eq!(rename(&mut e, "sub", "a.txt"), NOTDIR);
    assert_eq!(rename(&mut e, "nope", "x"), NOENT);
    assert_eq!(rename(&mut e, "a.txt", "with\0nul"), ILSEQ);
    assert_eq!(rename(&mut e, "a.txt", "sub/inner/b.txt"), SUCCESS);
    assert_eq!(rename(&mut e, "sub/inner", "moved"), SUCCESS);
    let after = &e.host.fs.preopens()[0].root;
    let Some(FsNode::Dir(moved)) = after.get("moved") else { panic!("{after:?}") };
    assert_eq!(moved.get("b.txt"), Some(&FsNode::File(b"hello".to_vec())));
    assert_eq!(after.len(), 2, "{after:?}");
    assert_eq!(e.path_call(Wasi::PathRemoveDirectory, "moved"), NOTEMPTY);
}

#[test]
fn descriptors_check_their_kind_access_and_limits() {
    let mut e = env();
    let ro = e.open("a.txt", 0, 1 << 1).unwrap();
    assert_eq!(e.pwrite(ro, 0, 1), BADF);
    assert_eq!(e.call(Wasi::FdFilestatSetSize, &[ro, 1]), BADF);
    let rw = e.open("a.txt", 0, RW).unwrap();
    assert_eq!(e.pwrite(rw, fs::MAX_FILE_BYTES - 1, 2), FBIG);
    assert_eq!(e.pwrite(rw, u64::MAX, 2), FBIG);
    assert_eq!(e.call(Wasi::FdFilestatSetSize, &[rw, fs::MAX_FILE_BYTES + 1]), FBIG);
    assert_eq!(e.pwrite(rw, 100, 1), SUCCESS);
    assert_eq!(e.host.fs.file(1).unwrap().len, 101, "writing past the end grows the file");
    assert_eq!(e.call(Wasi::FdSeek, &[rw, 0, 3, OUT]), INVAL);
    assert_eq!(e.call(Wasi::FdSeek, &[rw, (-1i64) as u64, 0, OUT]), INVAL);
    assert_eq!(e.call(Wasi::FdSeek, &[3, 0, 0, OUT]), BADF, "a directory does not seek");
    assert_eq!(e.call(Wasi::FdSeek, &[1, 0, 0, OUT]), SPIPE);
    assert_eq!(e.call(Wasi::FdReaddir, &[rw, BUF, 100, 0, OUT]), NOTDIR);
    assert_eq!(e.call(Wasi::FdRenumber, &[rw, 1]), BADF, "stdio is not in the table");
    assert_eq!(e.call(Wasi::FdPrestatDirName, &[3, BUF, 1]), NAMETOOLONG);
    assert_eq!(e.call(Wasi::FdPrestatGet, &[rw, BUF]), BADF);
    assert_eq!(e.call(Wasi::FdClose, &[rw]), SUCCESS);
    assert_eq!(e.call(Wasi::FdClose, &[rw]), BADF);
    assert_eq!(e.call(Wasi::FdSync, &[rw]), BADF);
    // Descriptors run out at MAX_FDS: 3 to 1023, one a preopen, one open.
    let mut opened = 2;
    let last = loop {
        match e.open("a.txt", 0, RW) {
            Ok(_) => opened += 1,
            Err(err) => break err,
        }
    };
    assert_eq!((last, opened), (MFILE, fs::MAX_FDS - 3));
    assert_eq!(e.open("created-after-all", O_CREAT, RW), Err(MFILE));
    assert!(!e.host.fs.preopens()[0].root.contains_key("created-after-all"), "EMFILE creates nothing");
}

#[test]
fn nodes_run_out_at_max_nodes() {
    // The preopened root and MAX_NODES − 1 files: the next create is ENOSPC.
    let files = (0..fs::MAX_NODES - 1).map(|i| (format!("f{i}"), FsNode::File(Vec::new()))).collect();
    let mut e = env_with(tree(files));
    assert_eq!(e.open("one-more", O_CREAT, RW), Err(NOSPC));
    assert_eq!(e.path_call(Wasi::PathCreateDirectory, "d"), NOSPC);
    assert_eq!(e.path_call(Wasi::PathUnlinkFile, "f7"), SUCCESS);
    assert!(e.open("one-more", O_CREAT, RW).is_ok(), "a freed node is reused");
}

#[test]
fn readdir_fills_the_buffer_and_poll_fires_clocks() {
    let mut e = env();
    // 30 bytes: "." (25 bytes) and the start of "..".
    assert_eq!(e.call(Wasi::FdReaddir, &[3, BUF, 30, 0, OUT]), SUCCESS);
    assert_eq!(e.u32_at(OUT), 30);
    assert_eq!(&e.mem[BUF as usize + 24..BUF as usize + 25], b".");
    assert_eq!(e.call(Wasi::FdReaddir, &[3, BUF, 4096, 2, OUT]), SUCCESS);
    let used = e.u32_at(OUT) as usize;
    assert_eq!(used, 2 * 24 + "a.txt".len() + "sub".len());
    assert_eq!(e.call(Wasi::FdReaddir, &[3, 65530, 100, 0, OUT]), FAULT);
    assert_eq!(e.call(Wasi::PollOneoff, &[BUF, BUF + 200, 0, OUT]), INVAL);
    e.mem[BUF as usize..BUF as usize + 96].fill(0);
    e.mem[BUF as usize] = 7; // userdata of the clock subscription
    e.mem[BUF as usize + 48 + 8] = 1; // an fd_read subscription
    assert_eq!(e.call(Wasi::PollOneoff, &[BUF, BUF + 200, 2, OUT]), SUCCESS);
    assert_eq!(e.u32_at(OUT), 2);
    let ev = |e: &Env, i: usize| {
        let at = BUF as usize + 200 + 32 * i;
        (e.mem[at], u16::from_le_bytes([e.mem[at + 8], e.mem[at + 9]]) as u32, e.mem[at + 10])
    };
    assert_eq!(ev(&e, 0), (7, SUCCESS, 0));
    assert_eq!(ev(&e, 1), (0, NOTSUP, 1));
}
