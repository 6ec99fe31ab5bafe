/**
 * @fileoverview Helper numbers are the kernel's (include/uapi/linux/bpf.h); kfunc ids are rvjit's own.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { helperId, helperName, KFUNC_BPF_THROW, kfuncId, kfuncName, KFUNCS, MAX_HELPER_ID } from "../../compiler/bpf/helper-names.js";
import { requireFile } from "../support/tools.js";

const uapiBpfH = requireFile("/usr/include/linux/bpf.h", "the kernel's UAPI header, from Debian's linux-libc-dev");

describe("helper names", () => {
  it.each([
    [1, "bpf_map_lookup_elem"], [2, "bpf_map_update_elem"], [3, "bpf_map_delete_elem"], [5, "bpf_ktime_get_ns"],
    [6, "bpf_trace_printk"], [7, "bpf_get_prandom_u32"], [12, "bpf_tail_call"], [14, "bpf_get_current_pid_tgid"],
    [25, "bpf_perf_event_output"], [130, "bpf_ringbuf_output"], [181, "bpf_loop"], [209, "bpf_user_ringbuf_drain"],
    [210, "bpf_cgrp_storage_get"], [211, "bpf_cgrp_storage_delete"],
  ])("helper %i is %s", (id, name) => {
    expect(helperName(id)).toBe(name);
    expect(helperId(name)).toBe(id);
  });

  it("knows nothing outside 1..211, and wants the bpf_ prefix", () => {
    expect(MAX_HELPER_ID).toBe(211);
    expect(helperName(0)).toBeUndefined();
    expect(helperName(212)).toBeUndefined();
    expect(helperName(-1)).toBeUndefined();
    expect(helperId("bpf_unspec")).toBeUndefined();
    expect(helperId("map_lookup_elem")).toBeUndefined();
  });

  it.skipIf(!uapiBpfH)("matches the numbering of this machine's <linux/bpf.h>", () => {
    const h = readFileSync(uapiBpfH!, "utf8");
    const start = h.search(/#define _{2,3}BPF_FUNC_MAPPER\(FN/); // ___ since 6.2 (numbered), __ before
    const mapper = h.slice(start, h.indexOf("/* */", start));
    const numbered = [...mapper.matchAll(/FN\((\w+), (\d+)/g)].map((m) => [Number(m[2]), m[1]] as const);
    const sequential = [...mapper.matchAll(/FN\((\w+)\)/g)].map((m, k) => [k, m[1]] as const);
    const entries = numbered.length ? numbered : sequential;
    expect(entries.length).toBeGreaterThan(200);
    for (const [id, name] of entries.slice(1)) expect(helperName(id)).toBe(`bpf_${name}`);
  });
});

describe("kfunc names", () => {
  it("gives bpf_throw its own id, both ways, and starts at 1", () => {
    expect(kfuncName(KFUNC_BPF_THROW)).toBe("bpf_throw");
    expect(kfuncId("bpf_throw")).toBe(KFUNC_BPF_THROW);
    expect(KFUNCS.has(0)).toBe(false);
    for (const [id, name] of KFUNCS) expect(kfuncId(name)).toBe(id);
    expect(new Set(KFUNCS.values()).size).toBe(KFUNCS.size);
  });
});
