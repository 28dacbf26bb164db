// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {World, Worlds} from "./World.sol";
import {Exec} from "./Exec.sol";
import {SimdMachine} from "./SimdMachine.sol";
import {HostMachine} from "./HostMachine.sol";

/// The step of every instruction: the scalar ones here (`Exec`), the SIMD
/// ones in `SimdMachine`, host calls in `HostMachine`. A contract of its own: `StepVerifier` hands it the
/// opened world and takes back the world the step leaves (EIP-170's 24,576
/// bytes fit the authentication or the instructions, not both).
contract Machine {
    using Worlds for World;

    /// Where the float instructions run.
    address public immutable floats;
    /// Where the SIMD instructions run.
    SimdMachine public immutable simd;
    /// Where host calls run.
    HostMachine public immutable host;

    constructor(address floats_, SimdMachine simd_, HostMachine host_) {
        floats = floats_;
        simd = simd_;
        host = host_;
    }

    /// Runs the instruction at `w.pc` over `w`; reverts as `Exec` does.
    function run(World memory w) external view returns (World memory) {
        w.floats = floats;
        uint256 op = Exec.decode(w.instruction(w.pc));
        if (uint8(Spec.SIMD_OPS[op]) != 0) return simd.run(w);
        Exec.run(w);
        // A call of a host function: its step runs in `HostMachine`.
        if (w.host.call != 0 && w.status == Spec.STATUS_RUNNING) return host.run(w);
        return w;
    }
}
