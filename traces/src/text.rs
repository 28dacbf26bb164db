//! The timeline for the terminal (`refute trace show`).

use std::fmt::Write;

use refute_protocol::rules::Role;

use crate::build::role_name;
use crate::check::short;
use crate::timeline::{Clock, Span, Timeline, verdict_text};

/// A duration in ms as `1d 2h`, `3m 4.5s` or `120 ms`.
pub fn duration(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0 => format!("{ms} ms"),
        1..60 => format!("{}.{}s", s, (ms % 1000) / 100),
        60..3600 => format!("{}m {}s", s / 60, s % 60),
        3600..86400 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86400, (s % 86400) / 3600),
    }
}

/// A span of steps in words.
pub fn span_text(s: &Span) -> String {
    if s.to == s.from + 1 {
        format!("step {} → {}", s.from, s.to)
    } else if s.stride == 1 {
        format!("steps {}..{} (every step)", s.from, s.to)
    } else {
        format!("steps {}..{} (every {})", s.from, s.to, s.stride)
    }
}

/// Both clocks in words.
pub fn clocks_text(c: &[Clock; 2]) -> String {
    let one = |c: &Clock| format!("{}{}", duration(c.left_ms), if c.running { " ▸" } else { "" });
    format!("solver {}, challenger {}", one(&c[0]), one(&c[1]))
}

/// Who, in a table cell.
pub fn by_text(r: Option<Role>) -> &'static str {
    r.map_or("arbiter", role_name)
}

/// The whole timeline as text.
pub fn render(t: &Timeline) -> String {
    let mut o = String::new();
    let w = &mut o;
    match &t.source {
        Some(src) => {
            let _ = writeln!(w, "game {} on claim {} — {src}", t.game, short(&t.claim));
        }
        None => {
            let _ = writeln!(
                w,
                "game {} on claim {} — transcript v{}, arbiter {}",
                t.game,
                short(&t.claim),
                t.version,
                short(&t.arbiter)
            );
        }
    }
    if let Some(c) = &t.claim_info {
        let _ = writeln!(
            w,
            "\nthe claim: solver {} says module {} ({}) ends after at most {} steps in state {}, printing {:?}; bond {}",
            t.solver.as_ref().map_or("?".into(), short),
            short(&c.module),
            c.entry,
            c.max_steps,
            short(&c.solver_final),
            c.stdout.trim_end(),
            c.solver_bond
        );
        if let (Some(f), Some(b)) = (&c.challenger_final, c.challenger_bond) {
            let _ = writeln!(
                w,
                "the challenge: challenger {} says it ends in state {}; bond {}",
                t.challenger.as_ref().map_or("?".into(), short),
                short(f),
                b
            );
        }
        let _ = writeln!(w, "dissection: k = {}, at most {} leaves per layer", t.k, t.max_leaves);
    }
    if !t.files.is_empty() {
        let _ = writeln!(
            w,
            "\noutput files of the claim (checked against its final state; --save-dir DIR saves them)"
        );
        for f in &t.files {
            let _ = writeln!(w, "{:>10}  {}  {}", f.size, f.sha256, f.path);
        }
    }
    let t0 = t.moves.iter().find(|m| m.kind == "claim").or(t.moves.first()).map_or(0, |m| m.time_ms);
    // On a chain, an entry is a block and the referee is a contract.
    let (entry, referee) = if t.source.is_some() { ("block", "referee") } else { ("entry", "arbiter") };
    let _ = writeln!(w, "\n{:>6}  {:>9}  {:<10}  move", entry, "time", "by");
    for m in &t.moves {
        let time = if m.time_ms >= t0 { format!("+{}", duration(m.time_ms - t0)) } else { "-".into() };
        let by = m.by.map_or(referee, role_name);
        let _ = writeln!(w, "{:>6}  {:>9}  {:<10}  {}", m.entry, time, by, m.what);
        if let Some(d) = &m.dispute {
            let clocks =
                m.clocks.as_ref().map(|c| format!("; clocks: {}", clocks_text(c))).unwrap_or_default();
            let _ = writeln!(w, "{:>31}in dispute: {}{clocks}", "", span_text(d));
        }
    }
    if !t.rounds.is_empty() {
        let _ = writeln!(w, "\nrounds");
        for r in &t.rounds {
            let agreed = r.points.iter().take_while(|p| p.solver == p.challenger).last();
            let diff = match (r.first_difference, agreed) {
                (Some(s), Some(a)) => format!("agree up to step {}, differ from step {s}", a.step),
                (Some(s), None) => format!("differ from the first point, step {s}"),
                (None, _) => format!(
                    "agree on all {} points: the difference is at step {}",
                    r.points.len(),
                    r.before.to
                ),
            };
            let _ = writeln!(
                w,
                "  {:>2}. {}: {} → {}",
                r.number,
                span_text(&r.before),
                diff,
                span_text(&r.after)
            );
            if let Some(p) = r.points.iter().find(|p| p.solver != p.challenger) {
                let _ = writeln!(
                    w,
                    "      at step {}: solver {}, challenger {}",
                    p.step,
                    short(&p.solver),
                    short(&p.challenger)
                );
            }
        }
    }
    if let Some(s) = &t.step {
        let _ = writeln!(
            w,
            "\nthe step {} → {} (proof of {} bytes, sent by the {})",
            s.step,
            s.step + 1,
            s.proof_bytes,
            role_name(s.by)
        );
        let _ = writeln!(
            w,
            "  instruction  {}",
            s.instruction.as_deref().unwrap_or("none: the machine had halted")
        );
        let _ = writeln!(w, "  status       {} → {}", s.status[0], s.status[1]);
        let _ = writeln!(w, "  pc           {} → {}", s.pc[0], s.pc[1]);
        let _ = writeln!(w, "  sp           {} → {}", s.sp[0], s.sp[1]);
        let _ = writeln!(w, "  fp           {} → {}", s.fp[0], s.fp[1]);
        if !s.slots.is_empty() {
            let _ = writeln!(w, "  {:<6} {:>6} {:>20} {:>20}", "slot", "", "before", "after");
            for v in &s.slots {
                let after = if v.popped { "(popped)".to_string() } else { (v.after as i64).to_string() };
                let mark = if v.before != v.after && !v.popped { "  changed" } else { "" };
                let _ =
                    writeln!(w, "  {:<6} {:>6} {:>20} {:>20}{mark}", v.name, v.slot, v.before as i64, after);
            }
        }
        let _ = writeln!(w, "  agreed before   {}", s.pre);
        let _ = writeln!(w, "  true after      {}", s.post);
        let _ = writeln!(w, "  solver said     {}", s.solver_said);
        let _ = writeln!(w, "  challenger said {}", s.challenger_said);
    }
    if let Some(v) = t.verdict {
        let _ = writeln!(w, "\nverdict: {}", verdict_text(v));
    }
    if let Some(e) = &t.ending {
        let _ = writeln!(w, "{e}");
    }
    if !t.bonds.is_empty() {
        let _ = writeln!(w, "\nbonds");
        for b in &t.bonds {
            let who = b.who.map_or(String::new(), |r| format!("the {}'s ", role_name(r)));
            let _ = writeln!(w, "  {entry} {:>4}: {who}{} {}", b.entry, b.amount, b.what);
        }
    }
    let _ = writeln!(w);
    for c in &t.checked {
        let _ = writeln!(w, "checked: {c}");
    }
    match &t.failure {
        None if t.source.is_some() => {
            let _ = writeln!(w, "read from the chain and checked");
        }
        None => {
            let _ = writeln!(w, "transcript verified");
        }
        Some(f) => {
            let _ = writeln!(w, "DOES NOT CHECK: {f}");
        }
    }
    o
}
