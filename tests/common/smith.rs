//! The wasm-smith configuration shared by the random-module tests: WASM 2.0
//! with fixed-width SIMD, no imports, one memory, small modules.

/// Modules the engine accepts and wasmi runs alike.
pub fn config() -> wasm_smith::Config {
    wasm_smith::Config {
        simd_enabled: true,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        exceptions_enabled: false,
        tail_call_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        extended_const_enabled: false,
        custom_descriptors_enabled: false,
        compact_imports_enabled: false,
        multi_value_enabled: true,
        reference_types_enabled: true,
        bulk_memory_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        canonicalize_nans: true,
        export_everything: true,
        allow_start_export: true,
        max_imports: 0,
        max_memories: 1,
        max_tables: 2,
        max_memory32_bytes: 4 * 65536,
        max_table_elements: 1000,
        max_instructions: 400,
        max_funcs: 20,
        min_funcs: 4,
        ..wasm_smith::Config::default()
    }
}
