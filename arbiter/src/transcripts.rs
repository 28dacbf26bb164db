//! Transcripts of the service's games (`specs/transcript.md` §2): the
//! entries of a game, found by the stored index ([`crate::game_index`]),
//! read from the database and assembled by `refute_traces`.

use std::path::{Path, PathBuf};

use refute_protocol::log::Entry;
use refute_protocol::rules::GameStatus;
use refute_traces::Transcript;
use refute_traces::build::{assemble, claim_blobs};

use crate::game_index;
use crate::service::{Service, ServiceError};

/// The transcript of `game` as of the service's last committed entry.
/// Reads RocksDB: call it off the async workers.
pub fn of_game(s: &Service, game: u64) -> Result<Transcript, ServiceError> {
    let ended = s.game(game)?.is_some_and(|g| g.status != GameStatus::Open);
    let (claim, wanted) = game_index::entries_of(s.db(), game, ended)
        .map_err(ServiceError::storage)?
        .ok_or_else(|| ServiceError::not_found("unknown_game", format!("no game {game}")))?;
    let mut entries: Vec<Entry> = Vec::with_capacity(wanted.len());
    for i in wanted {
        let e = s
            .db()
            .log_entries(i)
            .next()
            .ok_or_else(|| ServiceError::storage(format!("log entry {i} is missing")))?;
        entries.push(e.map_err(ServiceError::storage)?);
    }
    let blobs = claim_blobs(&entries, &claim, |h| s.db().get_blob(&h.0).ok().flatten());
    let params = s.read(|c| c.rules.params.clone());
    assemble(s.arbiter(), params, game, claim, entries, blobs).map_err(ServiceError::storage)
}

/// Why a transcript could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The service could not build it.
    #[error(transparent)]
    Transcript(#[from] ServiceError),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// Writes `game`'s transcript to `dir` as `game-ID.json` and `game-ID.bin`.
pub fn save(s: &Service, game: u64, dir: &Path) -> Result<Vec<PathBuf>, SaveError> {
    let t = of_game(s, game)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SaveError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut out = Vec::new();
    for (ext, bytes) in [("json", t.to_json()), ("bin", t.to_bin())] {
        let path = dir.join(format!("game-{game}.{ext}"));
        std::fs::write(&path, bytes).map_err(io(&path))?;
        out.push(path);
    }
    Ok(out)
}
