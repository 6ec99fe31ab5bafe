/**
 * @fileoverview The error the JIT throws for programs it cannot compile: what is wrong and where (function, eBPF
 * slot). Messages quote the kernel's own text where the kernel refuses the same program ("bpf-jit: unknown opcode
 * 8d"), so that a user can search for it.
 */

export class JitError extends Error {
  constructor(
    message: string,
    /** eBPF slot (program-wide index) of the offending instruction, when there is one. */
    readonly insnIndex?: number,
  ) {
    super(insnIndex === undefined ? message : `${message} (insn ${insnIndex})`);
    this.name = "JitError";
  }
}
