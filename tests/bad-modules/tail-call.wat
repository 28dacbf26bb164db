(module (func $f (export "_start") (return_call $f)))
