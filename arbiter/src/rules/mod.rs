//! The game rules: a pure state machine (`specs/protocol.md`).
