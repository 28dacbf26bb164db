//! What `refute run` prints.

use refute_engine::{Machine, Status, Value};
use serde_json::json;

/// The process exit code for a final status: the guest's own code for
/// `proc_exit`, 0 for a normal finish, 125 when the guest trapped or ran
/// out of steps.
pub fn exit_code(status: Status) -> i32 {
    match status {
        Status::Finished => 0,
        Status::Exited(c) => (c & 0xff) as i32,
        _ => 125,
    }
}

/// The guest's exit code as WASI sees it (`None` if it trapped or ran out of steps).
pub fn guest_exit_code(status: Status) -> Option<u32> {
    match status {
        Status::Finished => Some(0),
        Status::Exited(c) => Some(c),
        _ => None,
    }
}

fn value_json(v: &Value) -> serde_json::Value {
    match v {
        Value::I32(x) => json!({"type": "i32", "value": x.to_string()}),
        Value::I64(x) => json!({"type": "i64", "value": x.to_string()}),
        Value::F32(b) => {
            json!({"type": "f32", "value": f32::from_bits(*b).to_string(), "bits": format!("0x{b:08x}")})
        }
        Value::F64(b) => {
            json!({"type": "f64", "value": f64::from_bits(*b).to_string(), "bits": format!("0x{b:016x}")})
        }
        Value::FuncRef(r) => json!({"type": "funcref", "value": r}),
        Value::ExternRef(r) => json!({"type": "externref", "value": r}),
        Value::V128(v) => json!({"type": "v128", "value": format!("0x{v:032x}")}),
    }
}

/// One JSON object describing a finished run.
pub fn json(m: &Machine) -> serde_json::Value {
    let status = m.status();
    let results: Vec<_> =
        if status == Status::Finished { m.results().iter().map(value_json).collect() } else { vec![] };
    json!({
        "status": status.name(),
        "trap": match status { Status::Trapped(t) => Some(t.message()), _ => None },
        "results": results,
        "exit_code": guest_exit_code(status),
        "steps": m.steps(),
        "stdout": String::from_utf8_lossy(&m.host.stdout),
        "stderr": String::from_utf8_lossy(&m.host.stderr),
    })
}
