/**
 * @fileoverview Names of the kernel's BPF helpers and of the kfuncs rvjit models, both ways.
 *
 * Helpers are numbered by the kernel (include/uapi/linux/bpf.h, `___BPF_FUNC_MAPPER`; the list is frozen since 6.2
 * at 211): `call 1` is bpf_map_lookup_elem on every kernel. The assembler reads `call bpf_map_lookup_elem` and the
 * printer writes it; the table below is indexed by helper number and holds the name without its `bpf_` prefix, as
 * the kernel's BPF_FUNC_<name> does.
 *
 * kfuncs have no stable numbers: a real kernel calls them by BTF id, which differs per build. rvjit gives each kfunc
 * it models a small fixed id (BPF_PSEUDO_KFUNC_CALL's imm), which is also its slot in the runtime's fake kfunc range
 * (`kfuncAddress(id)` in compiler/kernel-abi.ts). Id 0 is never used (BTF id 0 is `void`).
 */

/** Helper names by number, without the `bpf_` prefix (index 0 is BPF_FUNC_unspec, not a callable helper). */
const HELPERS: readonly string[] = [
  /*   0 */ "unspec", "map_lookup_elem", "map_update_elem", "map_delete_elem", "probe_read", "ktime_get_ns",
  /*   6 */ "trace_printk", "get_prandom_u32", "get_smp_processor_id", "skb_store_bytes", "l3_csum_replace",
  /*  11 */ "l4_csum_replace", "tail_call", "clone_redirect", "get_current_pid_tgid", "get_current_uid_gid",
  /*  16 */ "get_current_comm", "get_cgroup_classid", "skb_vlan_push", "skb_vlan_pop", "skb_get_tunnel_key",
  /*  21 */ "skb_set_tunnel_key", "perf_event_read", "redirect", "get_route_realm", "perf_event_output",
  /*  26 */ "skb_load_bytes", "get_stackid", "csum_diff", "skb_get_tunnel_opt", "skb_set_tunnel_opt",
  /*  31 */ "skb_change_proto", "skb_change_type", "skb_under_cgroup", "get_hash_recalc", "get_current_task",
  /*  36 */ "probe_write_user", "current_task_under_cgroup", "skb_change_tail", "skb_pull_data", "csum_update",
  /*  41 */ "set_hash_invalid", "get_numa_node_id", "skb_change_head", "xdp_adjust_head", "probe_read_str",
  /*  46 */ "get_socket_cookie", "get_socket_uid", "set_hash", "setsockopt", "skb_adjust_room", "redirect_map",
  /*  52 */ "sk_redirect_map", "sock_map_update", "xdp_adjust_meta", "perf_event_read_value", "perf_prog_read_value",
  /*  57 */ "getsockopt", "override_return", "sock_ops_cb_flags_set", "msg_redirect_map", "msg_apply_bytes",
  /*  62 */ "msg_cork_bytes", "msg_pull_data", "bind", "xdp_adjust_tail", "skb_get_xfrm_state", "get_stack",
  /*  68 */ "skb_load_bytes_relative", "fib_lookup", "sock_hash_update", "msg_redirect_hash", "sk_redirect_hash",
  /*  73 */ "lwt_push_encap", "lwt_seg6_store_bytes", "lwt_seg6_adjust_srh", "lwt_seg6_action", "rc_repeat",
  /*  78 */ "rc_keydown", "skb_cgroup_id", "get_current_cgroup_id", "get_local_storage", "sk_select_reuseport",
  /*  83 */ "skb_ancestor_cgroup_id", "sk_lookup_tcp", "sk_lookup_udp", "sk_release", "map_push_elem", "map_pop_elem",
  /*  89 */ "map_peek_elem", "msg_push_data", "msg_pop_data", "rc_pointer_rel", "spin_lock", "spin_unlock",
  /*  95 */ "sk_fullsock", "tcp_sock", "skb_ecn_set_ce", "get_listener_sock", "skc_lookup_tcp", "tcp_check_syncookie",
  /* 101 */ "sysctl_get_name", "sysctl_get_current_value", "sysctl_get_new_value", "sysctl_set_new_value", "strtol",
  /* 106 */ "strtoul", "sk_storage_get", "sk_storage_delete", "send_signal", "tcp_gen_syncookie", "skb_output",
  /* 112 */ "probe_read_user", "probe_read_kernel", "probe_read_user_str", "probe_read_kernel_str", "tcp_send_ack",
  /* 117 */ "send_signal_thread", "jiffies64", "read_branch_records", "get_ns_current_pid_tgid", "xdp_output",
  /* 122 */ "get_netns_cookie", "get_current_ancestor_cgroup_id", "sk_assign", "ktime_get_boot_ns", "seq_printf",
  /* 127 */ "seq_write", "sk_cgroup_id", "sk_ancestor_cgroup_id", "ringbuf_output", "ringbuf_reserve",
  /* 132 */ "ringbuf_submit", "ringbuf_discard", "ringbuf_query", "csum_level", "skc_to_tcp6_sock", "skc_to_tcp_sock",
  /* 138 */ "skc_to_tcp_timewait_sock", "skc_to_tcp_request_sock", "skc_to_udp6_sock", "get_task_stack",
  /* 142 */ "load_hdr_opt", "store_hdr_opt", "reserve_hdr_opt", "inode_storage_get", "inode_storage_delete", "d_path",
  /* 148 */ "copy_from_user", "snprintf_btf", "seq_printf_btf", "skb_cgroup_classid", "redirect_neigh", "per_cpu_ptr",
  /* 154 */ "this_cpu_ptr", "redirect_peer", "task_storage_get", "task_storage_delete", "get_current_task_btf",
  /* 159 */ "bprm_opts_set", "ktime_get_coarse_ns", "ima_inode_hash", "sock_from_file", "check_mtu",
  /* 164 */ "for_each_map_elem", "snprintf", "sys_bpf", "btf_find_by_name_kind", "sys_close", "timer_init",
  /* 170 */ "timer_set_callback", "timer_start", "timer_cancel", "get_func_ip", "get_attach_cookie", "task_pt_regs",
  /* 176 */ "get_branch_snapshot", "trace_vprintk", "skc_to_unix_sock", "kallsyms_lookup_name", "find_vma", "loop",
  /* 182 */ "strncmp", "get_func_arg", "get_func_ret", "get_func_arg_cnt", "get_retval", "set_retval",
  /* 188 */ "xdp_get_buff_len", "xdp_load_bytes", "xdp_store_bytes", "copy_from_user_task", "skb_set_tstamp",
  /* 193 */ "ima_file_hash", "kptr_xchg", "map_lookup_percpu_elem", "skc_to_mptcp_sock", "dynptr_from_mem",
  /* 198 */ "ringbuf_reserve_dynptr", "ringbuf_submit_dynptr", "ringbuf_discard_dynptr", "dynptr_read",
  /* 202 */ "dynptr_write", "dynptr_data", "tcp_raw_gen_syncookie_ipv4", "tcp_raw_gen_syncookie_ipv6",
  /* 206 */ "tcp_raw_check_syncookie_ipv4", "tcp_raw_check_syncookie_ipv6", "ktime_get_tai_ns", "user_ringbuf_drain",
  /* 210 */ "cgrp_storage_get", "cgrp_storage_delete",
];

/** The highest helper number the kernel defines. */
export const MAX_HELPER_ID = HELPERS.length - 1;

const HELPER_IDS: ReadonlyMap<string, number> = new Map(HELPERS.map((n, id) => [`bpf_${n}`, id] as const).slice(1));

/** `bpf_map_lookup_elem` for 1; undefined for 0 and for numbers the kernel does not define. */
export function helperName(id: number): string | undefined {
  return id >= 1 && id <= MAX_HELPER_ID ? `bpf_${HELPERS[id]}` : undefined;
}

/** 1 for `bpf_map_lookup_elem`; the `bpf_` prefix is required, as in C. */
export function helperId(name: string): number | undefined {
  return HELPER_IDS.get(name);
}

/**
 * The kfuncs rvjit models, by id. bpf_throw is the one the JIT cares about (BPF exceptions); the lock-style pairs
 * exist so that specs can show the verifier's "bpf_throw cannot be used inside ... region" rejections.
 */
export const KFUNCS: ReadonlyMap<number, string> = new Map([
  [1, "bpf_throw"],
  [2, "bpf_rcu_read_lock"],
  [3, "bpf_rcu_read_unlock"],
  [4, "bpf_preempt_disable"],
  [5, "bpf_preempt_enable"],
  [6, "bpf_local_irq_save"],
  [7, "bpf_local_irq_restore"],
]);

/** The id of bpf_throw (BPF_PSEUDO_KFUNC_CALL imm). */
export const KFUNC_BPF_THROW = 1;

const KFUNC_IDS: ReadonlyMap<string, number> = new Map([...KFUNCS].map(([id, name]) => [name, id] as const));

export function kfuncName(id: number): string | undefined {
  return KFUNCS.get(id);
}

export function kfuncId(name: string): number | undefined {
  return KFUNC_IDS.get(name);
}
