/**
 * @fileoverview Prototypes of the BPF helpers rvjit models: for each, its kernel number and name, how many of r1..r5
 * it reads, and what it returns as the verifier types R0 (the kernel's `struct bpf_func_proto`, cut down to what our
 * verifier checks). Defined once, here: the verifier (passes/verify*.ts) checks calls against these, and the
 * runtime's helper implementations (runtime/kernel/helpers.ts) take their name and argument count from them, so the
 * helpers a program may call are exactly the helpers both engines run.
 */
import { helperName } from "./helper-names.js";

/** What R0 holds after the call, for the verifier: a scalar, or a NULL-able pointer to a value of the R1 map. */
export type HelperRet = "scalar" | "map_value_or_null";

export interface HelperProto {
  /** The kernel's helper number (BPF_FUNC_*). */
  id: number;
  /** `bpf_map_lookup_elem`. */
  name: string;
  /** How many of r1..r5 it reads (each must be initialised at the call). */
  args: number;
  /** Absent: "scalar". */
  ret?: HelperRet;
}

/** [number, argument count, return kind]; names come from helper-names.ts. */
const ROWS: readonly (readonly [number, number, HelperRet?])[] = [
  [1, 2, "map_value_or_null"], // bpf_map_lookup_elem(map, key)
  [2, 4], //  bpf_map_update_elem(map, key, value, flags)
  [3, 2], //  bpf_map_delete_elem(map, key)
  [4, 3], //  bpf_probe_read(dst, size, unsafe_ptr)
  [5, 0], //  bpf_ktime_get_ns()
  [6, 5], //  bpf_trace_printk(fmt, fmt_size, arg1, arg2, arg3)
  [7, 0], //  bpf_get_prandom_u32()
  [8, 0], //  bpf_get_smp_processor_id()
  [12, 3], // bpf_tail_call(ctx, prog_array, index)
  [14, 0], // bpf_get_current_pid_tgid()
  [15, 0], // bpf_get_current_uid_gid()
  [16, 2], // bpf_get_current_comm(buf, size)
  [113, 3], // bpf_probe_read_kernel(dst, size, unsafe_ptr)
];

/** Every modelled helper's prototype, by kernel helper number. */
export const HELPER_PROTOS: ReadonlyMap<number, HelperProto> = new Map(
  ROWS.map(([id, args, ret]) => [id, { id, name: helperName(id)!, args, ...(ret && { ret }) }]),
);

/** The prototype of helper `id`; throws for a helper rvjit does not model. */
export function helperProto(id: number): HelperProto {
  const p = HELPER_PROTOS.get(id);
  if (!p) throw new Error(`helper #${id} has no prototype in compiler/bpf/helper-protos.ts`);
  return p;
}

/**
 * Helpers the RV64 JIT of Linux 6.12 inlines instead of calling (reference §4.10; bpf_jit_inlines_helper_call()):
 * bpf_get_smp_processor_id (8) becomes a load of thread_info.cpu through tp. Such a call is no call to the kernel:
 * it does not make the function "seen calling" (SEEN_CALL, reference §1.3), and the kernel model never sees it, so it
 * is absent from the JIT run's call record. bpf_get_current_task and bpf_get_current_task_btf (35, 158: `mv a5, tp`)
 * are inlined only by later kernels ([RV-2026]), not by 6.12, whose output rvjit reproduces.
 */
export const RV64_JIT_INLINED_HELPERS: ReadonlySet<number> = new Set([8]);
