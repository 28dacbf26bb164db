"""Runs a WASI command under wasmtime (PyPI `wasmtime`, the version
scripts/setup.sh pins) as `refute run` runs it under refute, for
tests/oracle.rs:

    wasmtime_run.py MODULE [--cache FILE] [--dir HOST::GUEST]... [--stdin FILE] [--env K=V]... -- ARGS...

argv[0] is the module's file name, as under refute. The guest's stdout and
stderr are this process's; its exit code is this process's exit code, and a
trap exits with 125, as `refute run` does. With --cache, the compiled
module is kept in FILE (wasmtime's own serialisation; compiling yosys takes
about a minute) and reused when it loads.
"""

import os
import sys

import wasmtime


def load(engine, module, cache):
    if cache is not None and os.path.exists(cache):
        try:
            return wasmtime.Module.deserialize_file(engine, cache)
        except Exception:
            pass
    compiled = wasmtime.Module.from_file(engine, module)
    if cache is not None:
        with open(cache + ".tmp", "wb") as f:
            f.write(compiled.serialize())
        os.replace(cache + ".tmp", cache)
    return compiled


def main(argv):
    module, rest = argv[0], argv[1:]
    dirs, env, stdin, cache, args = [], [], None, None, []
    while rest:
        opt = rest.pop(0)
        if opt == "--":
            args = rest
            break
        if opt == "--dir":
            host, guest = rest.pop(0).split("::", 1)
            dirs.append((host, guest))
        elif opt == "--env":
            env.append(tuple(rest.pop(0).split("=", 1)))
        elif opt == "--cache":
            cache = rest.pop(0)
        elif opt == "--stdin":
            stdin = rest.pop(0)
        else:
            sys.exit(f"wasmtime_run.py: unknown option {opt!r}")
    config = wasmtime.WasiConfig()
    config.argv = [os.path.basename(module)] + args
    config.env = env
    config.inherit_stdout()
    config.inherit_stderr()
    if stdin is not None:
        config.stdin_file = stdin
    for host, guest in dirs:
        config.preopen_dir(host, guest)
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    store.set_wasi(config)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, load(engine, module, cache))
    start = instance.exports(store)["_start"]
    try:
        start(store)
    except wasmtime.ExitTrap as e:
        sys.stdout.flush()
        os._exit(e.code)
    except wasmtime.Trap as e:
        print(f"wasmtime_run.py: guest trapped: {e}", file=sys.stderr)
        sys.stdout.flush()
        os._exit(125)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
