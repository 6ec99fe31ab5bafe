/**
 * @fileoverview Where the kernel model puts things in the emulated address space. Program images, helpers, kfuncs
 * and the struct offsets come from compiler/kernel-abi.ts (shared with the JIT); the rest is ours, chosen so that
 * every kind of object sits in its own named region and a stray pointer lands in nothing:
 *
 *     0xffffffc8_0000_0000  kernel stack guard (4 KiB, ---)
 *     0xffffffc8_0000_1000  kernel stack (THREAD_SIZE = 16 KiB, rw-); bpf_prog_run calls with sp at its top
 *     0xffffffd0_0000_0000  ctx (rw-, the size of the run's ctx)
 *     0xffffffe0_0000_0000  maps, 1 MiB apart: struct bpf_map header (r--), then values / ptrs[]
 *     0xffffffff_0100_0000  program p's image at IMAGE_ADDR + p × 1 MiB (r-x; what the JIT was given)
 *     0xffffffff_8000_0000  helpers: helper k at CALL_BASE + k × 0x100 (trap)
 *     0xffffffff_8040_0000  kfuncs: kfunc id at KFUNC_BASE + id × 0x100 (trap)
 *     0xffffffff_8080_0000  __per_cpu_offset[8] (r--)
 *     0xffffffff_80f0_0000  return sentinels: bpf_prog_run's return address, the exception callback's (trap)
 *     0xffffffff_8100_0000  current task_struct, tp points here; thread_info.cpu at THREAD_INFO_CPU_OFF (r--)
 *     0xffffffff_8110_0000  struct bpf_prog of program p at + p × 64, bpf_func at PROG_BPF_FUNC_OFF (r--)
 */
import { CALL_BASE, IMAGE_ADDR, KFUNC_BASE, MAP_BASE, MAP_STRIDE, mapAddress, PER_CPU_OFFSET_ADDR } from "../../compiler/kernel-abi.js";
import { mapFootprint, type MapSpec } from "./maps.js";

export const STACK_GUARD_ADDR = 0xffff_ffc8_0000_0000n;
export const STACK_GUARD_SIZE = 0x1000;
/** THREAD_SIZE on riscv64 (without KASAN). */
export const STACK_SIZE = 0x4000;
export const STACK_ADDR = STACK_GUARD_ADDR + BigInt(STACK_GUARD_SIZE);
export const STACK_TOP = STACK_ADDR + BigInt(STACK_SIZE);

export const CTX_ADDR = 0xffff_ffd0_0000_0000n;

export { MAP_BASE, MAP_STRIDE, mapAddress };
/** Largest map footprint the layout has room for. */
export const MAP_MAX_BYTES = Number(MAP_STRIDE);

/** Programs' images are 1 MiB apart; program 0 is at IMAGE_ADDR, where the goldens show it. */
export const PROGRAM_STRIDE = 0x10_0000n;
export const HELPER_REGION = { base: CALL_BASE, size: 0x1_0000 };
export const KFUNC_REGION = { base: KFUNC_BASE, size: 0x1_0000 };
export const PER_CPU_REGION = { base: PER_CPU_OFFSET_ADDR, size: 64 };

export const SENTINEL_BASE = 0xffff_ffff_80f0_0000n;
/** bpf_prog_run's return address: reaching it ends the run. */
export const RETURN_SENTINEL = SENTINEL_BASE;
/** The exception callback's return address: reaching it is the kernel's "should never return" WARN. */
export const CALLBACK_RETURN_SENTINEL = SENTINEL_BASE + 0x10n;

export const TASK_ADDR = 0xffff_ffff_8100_0000n;
export const TASK_SIZE = 0x1000;
export const PROG_OBJ_BASE = 0xffff_ffff_8110_0000n;
export const PROG_OBJ_SIZE = 64;

/** Where the JIT should place program p (`JitOptions.imageAddr`). */
export function programImageAddr(p: number): bigint {
  return IMAGE_ADDR + BigInt(p) * PROGRAM_STRIDE;
}

/** The addresses of a run's maps, checking that each fits its slot. */
export function mapAddresses(specs: readonly MapSpec[]): bigint[] {
  return specs.map((s, i) => {
    if (mapFootprint(s) > MAP_MAX_BYTES) {
      throw new Error(`map '${s.name}' needs ${mapFootprint(s)} bytes; the kernel model has room for ${MAP_MAX_BYTES} per map`);
    }
    return mapAddress(i);
  });
}

/** The address of program p's struct bpf_prog (what prog arrays point to). */
export function progObjectAddr(p: number): bigint {
  return PROG_OBJ_BASE + BigInt(p * PROG_OBJ_SIZE);
}
