/**
 * @fileoverview Branch fixup: the kernel's pass loop (bpf_int_jit_compile), function by function.
 * Requires: framed functions (prologue-epilogue.ts).
 * Provides: per function the converged layout state (offset table, prologue/epilogue positions), its address, its
 *   allocated size and the number of passes, as the kernel counts them.
 * Does not: produce bytes (encode.ts runs the final pass with the frozen layout).
 *
 *   slot offsets start pessimistic (32 halfwords per slot), then passes repeat until the image size is stable;
 *   the first stable size is "allocated" (the function gets its address; the next function's follows its
 *   allocation) and passes continue, because calls to helpers can now shrink from auipc+jalr to jal;
 *   the next stable size ends the loop. More than 32 passes is an error, as in the kernel. The final pass
 *   (encode.ts) counts as one more.
 * The first pass uses the prologue sized with the discovery flags, later passes the final flags (map-registers.ts).
 */
import { FUNC_ALIGN } from "../kernel-abi.js";
import { VK } from "../jit/code.js";
import { JitError } from "../jit/errors.js";
import { type Layout, type PassFrame, SegmentedLayout } from "../jit/layout.js";
import { type Arrays, FRESH } from "../jit/scratch.js";
import type { FrameCode, Framed, FramedFunc } from "./prologue-epilogue.js";

/** NR_JIT_ITERATIONS. */
export const MAX_PASSES = 32;

export interface FixedFunc extends FramedFunc {
  layout: Layout;
  addr: bigint;
  /** Halfwords allocated for the image (the size when the loop first converged). */
  allocHw: number;
  /** Passes, counted as the kernel's `pass` counter: sizing passes plus the final one. */
  passes: number;
}

export interface Fixed {
  framed: Framed;
  funcs: readonly FixedFunc[];
}

export const passFrame = (f: FrameCode): PassFrame => ({
  prologueHw: f.prologue.hw,
  epilogueHw: f.epilogue.hw,
  tailEpilogueHw: f.tailEpilogue.hw,
});

/**
 * Bytes bpf_jit_binary_pack_alloc adds to a program when it sizes its allocation: the bpf_binary_header (8) and 16
 * bytes for a random hole of illegal instructions. The allocation is rounded up to BPF_PROG_CHUNK_SIZE (64), and the
 * next function's image starts that far after this one's (as in ../shared/testdata/linux-6.12-jit).
 */
const PACK_OVERHEAD = 8n + 16n;
/** sizeof(struct exception_table_entry) on RISC-V: insn, fixup (s32 each), type, data (s16 each). */
const EXTABLE_ENTRY_SIZE = 12;

/** `scratch`: where the layouts' working arrays come from (scratch.ts; fresh ones by default). */
export function fixupBranches(framed: Framed, imageAddr: bigint, maxPasses = MAX_PASSES, scratch: Arrays = FRESH): Fixed {
  let next = imageAddr;
  const funcs = framed.funcs.map((f) => {
    const fixed = converge(f, next, maxPasses, scratch);
    const size = BigInt(2 * fixed.allocHw + EXTABLE_ENTRY_SIZE * f.body.faultPos.length) + PACK_OVERHEAD;
    next = fixed.addr + ((size + FUNC_ALIGN - 1n) & ~(FUNC_ALIGN - 1n));
    return fixed;
  });
  return { framed, funcs };
}

function converge(f: FramedFunc, addr: bigint, maxPasses: number, scratch: Arrays): FixedFunc {
  const st = new SegmentedLayout(f.body, f.fn.insns.length, scratch);
  const first = passFrame(f.first);
  const steady = f.first === f.steady ? first : passFrame(f.steady);
  let prev = 32 * f.fn.insns.length;
  let allocHw = 0;
  for (let pass = 1; pass <= maxPasses; pass++) {
    const size = st.pass(pass === 1 ? first : steady, true);
    if (size === prev) {
      if (st.allocated) return { fn: f.fn, seen: f.seen, body: f.body, first: f.first, steady: f.steady, layout: st, addr, allocHw, passes: pass + 1 };
      allocHw = size;
      allocate(f, st, addr);
    }
    prev = size;
  }
  throw new JitError(`bpf-jit: image did not converge in <${maxPasses} passes! (function ${f.fn.name})`);
}

/** The image now has an address: calls to fixed kernel addresses know how far they reach. */
function allocate(f: FramedFunc, st: Layout, addr: bigint): void {
  st.allocated = true;
  const b = f.body;
  for (let v = 0; v < b.nv; v++) {
    if (b.vk[v] !== VK.CallFixed) continue; // the kind first: vaddr is a sparse array, slow to read where it has no entry
    const target = b.vaddr[v];
    if (target !== undefined && target !== 0n) st.delta[v] = Number(BigInt.asIntN(64, target - addr));
  }
}
