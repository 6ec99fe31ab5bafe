/**
 * @fileoverview The kernel's BPF exceptions selftests (tools/testing/selftests/bpf/progs/exceptions.c) that need
 * neither skb nor freplace, in our assembly, with the return values prog_tests/exceptions.c expects (reference
 * linux-rv64-bpf-jit.md §6.1). Where a selftest reads the packet's protocol, ours reads the u64 at ctx[0] instead.
 * One table for every engine: test/interp runs it on the reference interpreter, test/jit judges it twice (the JIT on
 * the kernel model against the interpreter). Expected values are the kernel's, not taken from a run of ours.
 */

export interface ExceptionSelftest {
  name: string;
  src: string;
  /** The u64 at ctx[0], for programs that read one through r1. */
  ctx?: bigint;
  /** R0 at the end: after a throw, what the exception callback returned. */
  r0: bigint;
  /** The cookie bpf_throw was called with; absent when the run does not throw. */
  cookie?: bigint;
}

/** The run's ctx: `v` as a little-endian u64. */
export function ctx64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

export const EXCEPTION_SELFTESTS: readonly ExceptionSelftest[] = [
  { name: "exception_throw_always_1 (bpf_throw(64))", r0: 64n, cookie: 64n, src: "r1 = 64\ncall bpf_throw\nr0 = 0\nexit\n" },
  { name: "exception_throw_default (bpf_throw(0))", r0: 0n, cookie: 0n, src: "r0 = 5\nr1 = 0\ncall bpf_throw\nr0 = 1\nexit\n" },
  { name: "exception_throw_default_value (bpf_throw(5))", r0: 5n, cookie: 5n, src: "r1 = 5\ncall bpf_throw\nr0 = 1\nexit\n" },
  {
    name: "exception_throw_always_2 (main -> global -> static throws 32)", r0: 32n, cookie: 32n, ctx: 8n, src: `
.func global2static_simple global args=1
r1 = *(u64 *)(r1 + 0)
call global2static_simple
r0 += 1
exit
global2static_simple:
call static_func
exit
static_func:
r1 = 32
call bpf_throw
r0 = 0
exit
` },
  ...[[0x0800n, 16n], [0x07ffn, 32n]].map(([protocol, cookie]) => ({
    name: `exception_throw_unwind_${protocol === 0x0800n ? 1 : 2} (static -> global -> static; protocol 0x${protocol!.toString(16)}: throws ${cookie})`,
    r0: cookie!, cookie, ctx: protocol, src: `
.func global2static global args=1
r1 = *(u64 *)(r1 + 0)
call static2global
r0 += 1
exit
static2global:
call global2static
exit
global2static:
if r1 == 0x0800 goto sixteen
call static_func
exit
sixteen:
r1 = 16
call bpf_throw
r0 = 0
exit
static_func:
r1 = 32
call bpf_throw
r0 = 0
exit
` })),
  {
    name: "exception_ext_mod_cb_runtime (callback = global(c) + c + 10, throw 25)", r0: 35n, cookie: 25n, src: `
.exception_callback exception_cb_mod
.func exception_cb_mod global args=1
.func exception_cb_mod_global global args=1
r1 = 25
call bpf_throw
r0 = 0
exit
exception_cb_mod:
r6 = r1
call exception_cb_mod_global
r0 += r6
r0 += 10
exit
exception_cb_mod_global:
r0 = 0
exit
` },
  {
    name: "exception_throw_subprog (protocol 8: the switch's default throws 1)", r0: 1n, cookie: 1n, ctx: 8n, src: `
r2 = *(u64 *)(r1 + 0)
if r2 == 1 goto one
if r2 == 2 goto two
r1 = 1
call bpf_throw
exit
one:
r0 = 10
exit
two:
r0 = 20
exit
` },
  {
    name: "exception_throw_from_void_global (void global throws 11)", r0: 11n, cookie: 11n, src: `
.func throw_11 global ret=void
call throw_11
r0 = 0
exit
throw_11:
r1 = 11
call bpf_throw
exit
` },
  {
    name: "exception_assert_nz_gfunc (the assertion holds: +1)", r0: 1n, ctx: 7n, src: `
.func assert_nz_gfunc global args=1
r1 = *(u64 *)(r1 + 0)
call assert_nz_gfunc
r0 += 1
exit
assert_nz_gfunc:
if r1 != 0 goto ok
r1 = 0
call bpf_throw
ok:
r0 = 0
exit
` },
  {
    name: "exception_bad_assert_zero_gfunc_with (c = 5: throws c + 100)", r0: 105n, cookie: 105n, ctx: 5n, src: `
.func assert_zero_gfunc_with global args=1
r1 = *(u64 *)(r1 + 0)
call assert_zero_gfunc_with
r0 += 1
exit
assert_zero_gfunc_with:
if r1 == 0 goto ok
r1 += 100
call bpf_throw
ok:
r0 = 0
exit
` },
  {
    name: "exception_bad_assert_range (ktime outside [-100, 100]: throws 0)", r0: 0n, cookie: 0n, src: `
call bpf_ktime_get_ns
if r0 s> 100 goto bad
if r0 s< -100 goto bad
r0 = 1
exit
bad:
r1 = 0
call bpf_throw
r0 = 1
exit
` },
];
