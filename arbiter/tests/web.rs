//! The arbiter's web view over a real socket: a real dispute in a real
//! service, the transcript route in both forms, the pages' text, and a
//! screenshot of the game page by headless Chromium that must be a real,
//! non-blank image of the window's size.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use refute_arbiter::http;
use refute_traces::binary::TAG;
use refute_traces::{Transcript, check};

struct Server {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    agent: ureq::Agent,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves the arena's arbiter (API, transcript route and pages) on 127.0.0.1.
fn serve(a: &common::Arena) -> Server {
    let service = a.service.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let shutdown = async move {
                let _ = stopped.await;
            };
            http::serve(service, listener, Duration::from_millis(500), shutdown).await.unwrap();
        });
    });
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    Server { base, stop: Some(stop), thread: Some(thread), agent }
}

impl Server {
    fn get(&self, path: &str, accept: Option<&str>) -> (u16, String, Vec<u8>) {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let mut r = req.call().unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let kind = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        (r.status().as_u16(), kind, r.body_mut().read_to_vec().unwrap())
    }

    fn text(&self, path: &str) -> (u16, String) {
        let (status, kind, body) = self.get(path, None);
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        (status, String::from_utf8(body).unwrap())
    }
}

#[test]
fn the_transcript_route_serves_both_forms() {
    let s = common::solver_lies();
    let srv = serve(&s.arena);
    let (status, kind, json) = srv.get("/v1/games/0/transcript", None);
    assert_eq!((status, kind.as_str()), (200, "application/json"));
    let t = Transcript::from_bytes(&json).unwrap();
    assert_eq!(check(&t, None).failure, None);
    let (status, kind, bin) = srv.get("/v1/games/0/transcript?format=bin", None);
    assert_eq!((status, kind.as_str()), (200, "application/octet-stream"));
    assert!(bin.starts_with(TAG));
    assert_eq!(Transcript::from_bytes(&bin).unwrap(), t);
    let (_, _, by_accept) = srv.get("/v1/games/0/transcript", Some("application/octet-stream"));
    assert_eq!(by_accept, bin);
    // As `refute trace show --game` and the bots fetch it.
    assert_eq!(refute_traces::fetch::fetch(&srv.base, 0).unwrap(), bin);
    let err = refute_traces::fetch::fetch(&srv.base, 7).unwrap_err();
    assert!(err.to_string().starts_with("the arbiter answers 404"), "{err}");
    for (path, status, code) in [
        ("/v1/games/7/transcript", 404, "unknown_game"),
        ("/v1/games/x/transcript", 400, "bad_id"),
        ("/v1/games/0/transcript?format=xml", 400, "bad_format"),
    ] {
        let (got, _, body) = srv.get(path, None);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!((got, v["code"].as_str()), (status, Some(code)), "{path}");
    }
}

/// Runs headless Chromium on `url` and returns the PNG's bytes.
fn screenshot(url: &str, dir: &Path, name: &str, size: (u32, u32)) -> Vec<u8> {
    let png = dir.join(format!("{name}.png"));
    let mut child = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
        .arg(format!("--user-data-dir={}", dir.join(format!("profile-{name}")).display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={},{}", size.0, size.1))
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium runs (scripts/setup.sh installs Debian's chromium)");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed on {url}: {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took over 90 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read(&png).unwrap()
}

/// The width and height in a PNG's header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes(b.try_into().unwrap());
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn the_pages_show_the_timeline_in_a_browser() {
    let s = common::solver_lies();
    let srv = serve(&s.arena);
    let (status, front) = srv.text("/");
    assert_eq!(status, 200);
    for want in
        ["Claims and games", "href=\"/games/0\"", "challenger won", "/v1/games/0/transcript?format=bin"]
    {
        assert!(front.contains(want), "the front page lacks {want:?}");
    }
    let (status, page) = srv.text("/games/0");
    assert_eq!(status, 200);
    for want in [
        "Transcript verified.",
        "Verdict: the challenger wins",
        "the solver&#39;s story broke at step 50",
        "<h2>Rounds</h2>",
        "<h2>The step 49 → 50</h2>",
        "<h2>Bonds</h2>",
        "share paid",
    ] {
        assert!(page.contains(want), "the game page lacks {want:?}");
    }
    assert!(!page.contains("<script"), "no script");
    let (status, missing) = srv.text("/games/9");
    assert_eq!(status, 404);
    assert!(missing.contains("no game 9"));

    let dir = tempfile::tempdir().unwrap();
    let size = (1200, 900);
    let blank = screenshot("data:text/html,<body></body>", dir.path(), "blank", size);
    let shot = screenshot(&format!("{}/games/0", srv.base), dir.path(), "game", size);
    assert_eq!(png_size(&blank), size);
    assert_eq!(png_size(&shot), size);
    // A page of tables and text compresses far worse than a blank one.
    assert!(
        shot.len() > 5 * blank.len() && shot.len() > 20_000,
        "the game page's screenshot looks blank: {} bytes, a blank page's {}",
        shot.len(),
        blank.len()
    );
    if let Some(keep) = std::env::var_os("REFUTE_SCREENSHOT") {
        std::fs::write(keep, &shot).unwrap();
    }
}
