//! The arbiter's web pages: plain server-rendered HTML with inline CSS and
//! no script. The game page shows the same timeline as `refute trace show`.

use std::fmt::Write;

use refute_protocol::rules::{B32, Claim, ClaimStatus, GameStatus, Role};

use crate::build::role_name;
use crate::check::short;
use crate::text::{by_text, clocks_text, duration, span_text};
use crate::timeline::{OutputFile, Timeline, verdict_text};

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}\
header{background:#1d2330;color:#fff;padding:14px 28px}header a{color:#fff;text-decoration:none;font-weight:600}\
main{padding:8px 28px 40px;max-width:1200px}h1{font-size:22px}h2{font-size:18px;margin-top:28px}\
table{border-collapse:collapse;background:#fff;width:100%;margin:6px 0}\
th,td{border:1px solid #d8dce3;padding:5px 8px;text-align:left;vertical-align:top}th{background:#eceff4}\
code,.mono{font-family:ui-monospace,monospace;font-size:13px}\
.ok{background:#e3f5e6;border:1px solid #7cc48a;padding:10px 14px}\
.bad{background:#fbe6e6;border:1px solid #d77;padding:10px 14px}\
.verdict{font-size:18px;font-weight:600}.changed{background:#fff4c2}\
.solver{color:#a33}.challenger{color:#1d5fb4}.bar{height:10px;background:#c9d3e3;position:relative;margin:4px 0}\
.bar span{position:absolute;top:0;height:10px;background:#1d5fb4}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>{STYLE}</style></head><body><header><a href=\"/\">refute arbiter</a></header>\
         <main>{body}</main></body></html>\n",
        esc(title)
    )
}

/// A claim in the list.
#[derive(Clone, Debug)]
pub struct ClaimRow {
    /// Its id.
    pub id: B32,
    /// The solver.
    pub solver: B32,
    /// Its status.
    pub status: ClaimStatus,
    /// Its step limit.
    pub max_steps: u64,
    /// The solver's bond.
    pub bond: u64,
    /// Its games.
    pub games: Vec<u64>,
}

/// A game in the list.
#[derive(Clone, Debug)]
pub struct GameRow {
    /// Its id.
    pub id: u64,
    /// Its claim.
    pub claim: B32,
    /// Its status.
    pub status: GameStatus,
    /// The challenger.
    pub challenger: B32,
    /// The steps in dispute now.
    pub dispute: String,
}

fn status_text(s: GameStatus) -> String {
    match s {
        GameStatus::Open => "open".into(),
        GameStatus::Won(r) => format!("{} won", role_name(r)),
        GameStatus::LostByBoth => "both lost".into(),
        GameStatus::Cancelled => "cancelled".into(),
    }
}

/// The front page: the arbiter, its claims and its games.
pub fn index(arbiter: &B32, entries: u64, claims: &[ClaimRow], games: &[GameRow]) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>Claims and games</h1><p>Arbiter <code>{arbiter}</code>; its signed log has {entries} entries. \
         Each game's page is checked from its transcript as it is shown.</p>"
    );
    tables(&mut b, claims, games, true);
    page("refute arbiter", &b)
}

/// The front page of a referee on a chain: its claims and games, each
/// game's page read from the chain (no claim pages, no transcripts).
pub fn chain_index(referee: &str, rpc: &str, claims: &[ClaimRow], games: &[GameRow]) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>Claims and games</h1><p>Referee contract <code>{}</code> on <code>{}</code>. \
         Each game's page is read from the chain's events and transactions and checked as it is shown.</p>",
        esc(referee),
        esc(rpc)
    );
    tables(&mut b, claims, games, false);
    page("refute on chain", &b)
}

/// The claims and games tables; `arbiter`: link claim pages and transcripts.
fn tables(b: &mut String, claims: &[ClaimRow], games: &[GameRow], arbiter: bool) {
    let _ = write!(b, "<h2>Claims ({})</h2>", claims.len());
    if claims.is_empty() {
        b.push_str("<p>None yet.</p>");
    } else {
        b.push_str("<table><tr><th>claim</th><th>solver</th><th>status</th><th>steps</th><th>bond</th><th>games</th></tr>");
        for c in claims {
            let games: Vec<String> =
                c.games.iter().map(|g| format!("<a href=\"/games/{g}\">game {g}</a>")).collect();
            let status = match c.status {
                ClaimStatus::Open => "open",
                ClaimStatus::Final => "final",
                ClaimStatus::Rejected => "rejected",
            };
            let id = if arbiter {
                format!("<a href=\"/claims/{id}\">{id}</a>", id = c.id)
            } else {
                c.id.to_string()
            };
            let _ = write!(
                b,
                "<tr><td class=\"mono\">{id}</td><td class=\"mono\">{}</td><td>{status}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                short(&c.solver),
                c.max_steps,
                c.bond,
                games.join(", "),
            );
        }
        b.push_str("</table>");
    }
    let _ = write!(b, "<h2>Games ({})</h2>", games.len());
    if games.is_empty() {
        b.push_str("<p>None yet.</p>");
    } else {
        b.push_str(
            "<table><tr><th>game</th><th>claim</th><th>challenger</th><th>status</th><th>in dispute</th>",
        );
        b.push_str(if arbiter { "<th>transcript</th></tr>" } else { "</tr>" });
        for g in games {
            let transcript = if arbiter {
                format!(
                    "<td><a href=\"/v1/games/{id}/transcript\">JSON</a> · \
                     <a href=\"/v1/games/{id}/transcript?format=bin\">binary</a></td>",
                    id = g.id
                )
            } else {
                String::new()
            };
            let _ = write!(
                b,
                "<tr><td><a href=\"/games/{id}\">game {id}</a></td><td class=\"mono\">{}</td><td class=\"mono\">{}</td>\
                 <td>{}</td><td>{}</td>{transcript}</tr>",
                short(&g.claim),
                short(&g.challenger),
                status_text(g.status),
                esc(&g.dispute),
                id = g.id
            );
        }
        b.push_str("</table>");
    }
}

fn who_class(r: Option<Role>) -> &'static str {
    match r {
        Some(Role::Solver) => "solver",
        Some(Role::Challenger) => "challenger",
        None => "",
    }
}

/// A bar showing where `[from, to]` lies in `[0, total]`.
fn bar(from: u64, to: u64, total: u64) -> String {
    let total = total.max(1) as f64;
    let left = from as f64 / total * 100.0;
    let width = ((to - from) as f64 / total * 100.0).max(0.4);
    format!("<div class=\"bar\"><span style=\"left:{left:.3}%;width:{width:.3}%\"></span></div>")
}

/// The output files table of claim `claim` (links download each file).
fn files_table(b: &mut String, claim: &B32, files: &[OutputFile]) {
    b.push_str("<table><tr><th>file</th><th>bytes</th><th>SHA-256</th></tr>");
    for f in files {
        let _ = write!(
            b,
            "<tr><td class=\"mono\"><a href=\"/claims/{claim}/files{}\">{}</a></td><td>{}</td><td class=\"mono\">{}</td></tr>",
            esc(&url_path(&f.path)),
            esc(&f.path),
            f.size,
            f.sha256
        );
    }
    b.push_str("</table>");
}

/// A claim's page: what it says, its output files (`Err`: why they cannot
/// be shown) and its games.
pub fn claim(id: &B32, c: &Claim, files: Result<Vec<OutputFile>, String>) -> String {
    let mut b = String::new();
    let status = match c.status {
        ClaimStatus::Open => "open",
        ClaimStatus::Final => "final",
        ClaimStatus::Rejected => "rejected",
    };
    let stdout: String = String::from_utf8_lossy(&c.body.stdout.0).chars().take(2000).collect();
    let _ = write!(
        b,
        "<h1>Claim <span class=\"mono\">{}</span></h1><table>\
         <tr><th>status</th><td>{status}</td></tr><tr><th>solver</th><td class=\"mono solver\">{}</td></tr>\
         <tr><th>module</th><td class=\"mono\">{} ({})</td></tr><tr><th>steps</th><td>at most {}</td></tr>\
         <tr><th>bond</th><td>{}</td></tr><tr><th>stdout</th><td><pre>{}</pre></td></tr></table>",
        short(id),
        c.solver,
        c.body.module,
        esc(&c.body.entry),
        c.body.max_steps,
        c.body.bond,
        esc(&stdout)
    );
    b.push_str("<h2>Output files</h2>");
    match files {
        Ok(f) if f.is_empty() => b.push_str("<p>None: its task preopened no directory.</p>"),
        Ok(f) => {
            b.push_str("<p>The claim's final files, checked against its final state.</p>");
            files_table(&mut b, id, &f);
        }
        Err(why) => {
            let _ = write!(b, "<p>Not shown: {}</p>", esc(&why));
        }
    }
    let _ = write!(b, "<h2>Games ({})</h2>", c.games.len());
    let games: Vec<String> =
        c.games.values().map(|g| format!("<a href=\"/games/{g}\">game {g}</a>")).collect();
    let _ = write!(b, "<p>{}</p>", if games.is_empty() { "None.".into() } else { games.join(", ") });
    page(&format!("claim {}", short(id)), &b)
}

/// A game's page: its checked timeline.
pub fn game(t: &Timeline) -> String {
    let mut b = String::new();
    let _ = write!(b, "<h1>Game {} on claim <code>{}</code></h1>", t.game, short(&t.claim));
    if let Some(src) = &t.source {
        let _ = write!(b, "<p>Played {}.</p>", esc(src));
    }
    let verified =
        if t.source.is_some() { "Read from the chain and checked." } else { "Transcript verified." };
    match &t.failure {
        None => {
            let _ = write!(b, "<div class=\"ok\"><b>{verified}</b><ul>");
            for c in &t.checked {
                let _ = write!(b, "<li>{}</li>", esc(c));
            }
            b.push_str("</ul></div>");
        }
        Some(f) => {
            let _ = write!(
                b,
                "<div class=\"bad\"><b>The transcript does not check:</b> {}</div>",
                esc(&f.to_string())
            );
        }
    }
    if let Some(v) = t.verdict {
        let _ = write!(b, "<p class=\"verdict\">Verdict: {}</p>", esc(verdict_text(v)));
    }
    if let Some(e) = &t.ending {
        let _ = write!(b, "<p>{}</p>", esc(e));
    }
    let total = t.claim_info.as_ref().map_or(1, |c| c.max_steps);
    if let Some(c) = &t.claim_info {
        let _ = write!(
            b,
            "<h2>The claim</h2><table><tr><th>solver</th><td class=\"mono solver\">{}</td></tr>\
             <tr><th>module</th><td class=\"mono\">{} ({})</td></tr><tr><th>steps</th><td>at most {}</td></tr>\
             <tr><th>initial state</th><td class=\"mono\">{}</td></tr><tr><th>solver's final state</th><td class=\"mono\">{}</td></tr>\
             <tr><th>claimed stdout</th><td><code>{}</code></td></tr><tr><th>solver's bond</th><td>{}</td></tr>",
            t.solver.map(|k| k.to_string()).unwrap_or_default(),
            c.module,
            esc(&c.entry),
            c.max_steps,
            c.initial_root,
            c.solver_final,
            esc(&c.stdout),
            c.solver_bond
        );
        if let (Some(f), Some(bond)) = (&c.challenger_final, c.challenger_bond) {
            let _ = write!(
                b,
                "<tr><th>challenger</th><td class=\"mono challenger\">{}</td></tr>\
                 <tr><th>challenger's final state</th><td class=\"mono\">{f}</td></tr><tr><th>challenger's bond</th><td>{bond}</td></tr>",
                t.challenger.map(|k| k.to_string()).unwrap_or_default()
            );
        }
        let _ = write!(
            b,
            "<tr><th>dissection</th><td>k = {}, at most {} leaves per layer</td></tr></table>",
            t.k, t.max_leaves
        );
    }
    if !t.files.is_empty() {
        b.push_str("<h2>Output files</h2><p>The claim's final files, checked against its final state.</p>");
        files_table(&mut b, &t.claim, &t.files);
    }
    b.push_str("<h2>Timeline</h2><table><tr><th>entry</th><th>time</th><th>by</th><th>move</th><th>in dispute after it</th><th>clocks</th></tr>");
    let t0 = t.moves.iter().find(|m| m.kind == "claim").or(t.moves.first()).map_or(0, |m| m.time_ms);
    for m in &t.moves {
        let time = if m.time_ms >= t0 { format!("+{}", duration(m.time_ms - t0)) } else { "-".into() };
        let dispute = m
            .dispute
            .map(|d| format!("{}{}", esc(&span_text(&d)), bar(d.from, d.to, total)))
            .unwrap_or_default();
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{dispute}</td><td>{}</td></tr>",
            m.entry,
            esc(&time),
            who_class(m.by),
            by_text(m.by),
            esc(&m.what),
            esc(&m.clocks.as_ref().map(clocks_text).unwrap_or_default())
        );
    }
    b.push_str("</table>");
    if !t.rounds.is_empty() {
        b.push_str("<h2>Rounds</h2><table><tr><th>round</th><th>in dispute</th><th>where they first differ</th><th>solver said</th><th>challenger said</th><th>then</th></tr>");
        for r in &t.rounds {
            let p = r.points.iter().find(|p| p.solver != p.challenger);
            let (s, c) =
                p.map_or((String::new(), String::new()), |p| (short(&p.solver), short(&p.challenger)));
            let diff = r
                .first_difference
                .map_or(format!("at the end, step {}", r.before.to), |s| format!("step {s}"));
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"mono solver\">{s}</td><td class=\"mono challenger\">{c}</td><td>{}</td></tr>",
                r.number,
                esc(&span_text(&r.before)),
                esc(&diff),
                esc(&span_text(&r.after))
            );
        }
        b.push_str("</table>");
    }
    if let Some(s) = &t.step {
        let _ = write!(
            b,
            "<h2>The step {} → {}</h2><p>Proof of {} bytes, sent by the {}.</p><table>\
             <tr><th>instruction</th><td><code>{}</code></td></tr>\
             <tr><th>status</th><td>{} → {}</td></tr><tr><th>pc</th><td>{} → {}</td></tr>\
             <tr><th>sp</th><td>{} → {}</td></tr><tr><th>fp</th><td>{} → {}</td></tr>\
             <tr><th>agreed state before</th><td class=\"mono\">{}</td></tr>\
             <tr><th>true state after</th><td class=\"mono\">{}</td></tr>\
             <tr><th>solver said</th><td class=\"mono solver\">{}</td></tr>\
             <tr><th>challenger said</th><td class=\"mono challenger\">{}</td></tr></table>",
            s.step,
            s.step + 1,
            s.proof_bytes,
            role_name(s.by),
            esc(s.instruction.as_deref().unwrap_or("none: the machine had halted")),
            esc(&s.status[0]),
            esc(&s.status[1]),
            s.pc[0],
            s.pc[1],
            s.sp[0],
            s.sp[1],
            s.fp[0],
            s.fp[1],
            s.pre,
            s.post,
            s.solver_said,
            s.challenger_said
        );
        if !s.slots.is_empty() {
            b.push_str("<table><tr><th>slot</th><th>index</th><th>before</th><th>after</th></tr>");
            for v in &s.slots {
                let class = if v.before != v.after && !v.popped { " class=\"changed\"" } else { "" };
                let after = if v.popped { "(popped)".to_string() } else { (v.after as i64).to_string() };
                let _ = write!(
                    b,
                    "<tr{class}><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{after}</td></tr>",
                    v.name, v.slot, v.before as i64
                );
            }
            b.push_str("</table>");
        }
    }
    if !t.bonds.is_empty() {
        b.push_str("<h2>Bonds</h2><table><tr><th>entry</th><th>whose</th><th>what</th><th>amount</th></tr>");
        for bd in &t.bonds {
            let _ = write!(
                b,
                "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
                bd.entry,
                who_class(bd.who),
                bd.who.map_or("", role_name),
                esc(&bd.what),
                bd.amount
            );
        }
        b.push_str("</table>");
    }
    if t.source.is_none() {
        let _ = write!(
            b,
            "<p>Transcript: <a href=\"/v1/games/{g}/transcript\">JSON</a> · <a href=\"/v1/games/{g}/transcript?format=bin\">binary</a>; \
             check it offline with <code>refute trace verify FILE</code>.</p>",
            g = t.game
        );
    }
    page(&format!("game {}", t.game), &b)
}

/// A page saying what went wrong.
pub fn error(title: &str, message: &str) -> String {
    page(title, &format!("<h1>{}</h1><p>{}</p>", esc(title), esc(message)))
}

/// `path` with each byte outside `[A-Za-z0-9/._~-]` percent-encoded: a file's
/// guest path as a URL path.
pub fn url_path(path: &str) -> String {
    path.bytes()
        .map(|c| match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'_' | b'~' | b'-' => {
                (c as char).to_string()
            }
            _ => format!("%{c:02X}"),
        })
        .collect()
}
