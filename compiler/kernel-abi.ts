/**
 * @fileoverview The facts about the kernel around a BPF program that both the JIT and the runtime's kernel model must
 * agree on: where helpers live, where images are placed, struct offsets the tail-call sequence reads, limits.
 * The values are those of ../shared/testdata/linux-6.12-jit/README.md, so that our JIT reproduces the kernel's bytes
 * there, and the runtime lays its fake kernel out at the same addresses.
 * Addresses are bigint: kernel addresses such as 0xffffffff80000000 do not fit a double exactly.
 */

/** `__bpf_call_base`: helper number k lives at CALL_BASE + k * HELPER_STRIDE. */
export const CALL_BASE = 0xffff_ffff_8000_0000n;
export const HELPER_STRIDE = 0x100n;

/** Address of helper number `id` (kernel `__bpf_call_base + imm`, with our fake per-helper spacing). */
export function helperAddress(id: number): bigint {
  return CALL_BASE + BigInt(id) * HELPER_STRIDE;
}

/**
 * kfuncs (bpf_throw, and any a spec declares) live in their own fake range, one slot each, above the helpers.
 * A kfunc's "BTF id" in a call instruction's imm is its index here (BPF_PSEUDO_KFUNC_CALL, src_reg = 2).
 */
export const KFUNC_BASE = 0xffff_ffff_8040_0000n;
export function kfuncAddress(btfId: number): bigint {
  return KFUNC_BASE + BigInt(btfId) * HELPER_STRIDE;
}

/** Address of the first instruction of the main function's image. */
export const IMAGE_ADDR = 0xffff_ffff_0100_0000n;
/** Each later function starts at the first address with this alignment after the previous one ends. */
export const FUNC_ALIGN = 64n;

/** MAX_TAIL_CALL_CNT (include/linux/bpf.h). */
export const MAX_TAIL_CALL_CNT = 33;

/** offsetof(struct bpf_array, map.max_entries). */
export const ARRAY_MAX_ENTRIES_OFF = 36;
/** offsetof(struct bpf_array, ptrs). */
export const ARRAY_PTRS_OFF = 264;
/** offsetof(struct bpf_prog, bpf_func). */
export const PROG_BPF_FUNC_OFF = 48;
/** offsetof(struct thread_info, cpu): thread_info sits at the start of task_struct, which tp points to. */
export const THREAD_INFO_CPU_OFF = 32;
/** &__per_cpu_offset. */
export const PER_CPU_OFFSET_ADDR = 0xffff_ffff_8080_0000n;

/** MAX_BPF_STACK: the stack a program may use along any call chain. */
export const MAX_BPF_STACK = 512;
/** MAX_CALL_FRAMES. */
export const MAX_CALL_FRAMES = 8;

/**
 * Where map i's object lives: maps sit 1 MiB apart from MAP_BASE, struct bpf_map (and for arrays struct bpf_array's
 * header) first, then the values or ptrs[]. The verifier writes these addresses into `r1 = map[...] ll` loads by
 * default, and the runtime's kernel model and reference interpreter put the maps there (runtime/kernel/layout.ts).
 */
export const MAP_BASE = 0xffff_ffe0_0000_0000n;
export const MAP_STRIDE = 0x10_0000n;
export function mapAddress(i: number): bigint {
  return MAP_BASE + BigInt(i) * MAP_STRIDE;
}
