/* devices_bpf.c: a cgroup device program written as raw BPF instructions
 * (no LLVM, no libbpf). The context is struct bpf_cgroup_dev_ctx: access_type
 * (the access bits << 16 | the device type), major, minor. The rules are
 * checked from the last to the first; the first that matches decides, and
 * the end of the program denies. */
#include "devices_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_REG(dst, src) INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define JMP_IMM(op, dst, imm, off) INSN(BPF_JMP | (op) | BPF_K, dst, 0, off, imm)
#define MOV64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers: r2 type, r3 access, r4 major, r5 minor, r1 scratch. */
static const struct bpf_insn prologue[] = {
	LDX_W(BPF_REG_2, BPF_REG_1, 0),
	ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff),
	LDX_W(BPF_REG_3, BPF_REG_1, 0),
	ALU32_IMM(BPF_RSH, BPF_REG_3, 16),
	LDX_W(BPF_REG_4, BPF_REG_1, 4),
	LDX_W(BPF_REG_5, BPF_REG_1, 8),
};

static int access_bits(const char *a)
{
	int bits = 0;
	for (; *a; a++)
		bits |= *a == 'm' ? BPF_DEVCG_ACC_MKNOD : *a == 'r' ? BPF_DEVCG_ACC_READ : BPF_DEVCG_ACC_WRITE;
	return bits;
}

/* One rule's block; a failed test jumps to `end`, the index of the next block. */
static size_t emit_rule(const rt_device_rule *r, struct bpf_insn *p, size_t at)
{
	size_t n = (r->type != 'a') + (r->major >= 0) + (r->minor >= 0) + 3 + 2;
	size_t end = at + n, i = at;
#define TO_END(k) ((int16_t)(end - ((k) + 1)))
	if (r->type != 'a') {
		p[i] = JMP_IMM(BPF_JNE, BPF_REG_2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, TO_END(i));
		i++;
	}
	if (r->major >= 0) {
		p[i] = JMP_IMM(BPF_JNE, BPF_REG_4, (int32_t)r->major, TO_END(i));
		i++;
	}
	if (r->minor >= 0) {
		p[i] = JMP_IMM(BPF_JNE, BPF_REG_5, (int32_t)r->minor, TO_END(i));
		i++;
	}
	int acc = access_bits(r->access);
	p[i++] = MOV32_REG(BPF_REG_1, BPF_REG_3);
	if (r->allow) { /* every asked access must be granted */
		p[i++] = ALU32_IMM(BPF_AND, BPF_REG_1, ~acc & 7);
		p[i] = JMP_IMM(BPF_JNE, BPF_REG_1, 0, TO_END(i));
	} else { /* any asked access that is denied */
		p[i++] = ALU32_IMM(BPF_AND, BPF_REG_1, acc);
		p[i] = JMP_IMM(BPF_JEQ, BPF_REG_1, 0, TO_END(i));
	}
	i++;
	p[i++] = MOV64_IMM(BPF_REG_0, r->allow ? 1 : 0);
	p[i++] = EXIT();
#undef TO_END
	return i;
}

int devices_bpf_program(const rt_device_rule *rules, size_t n, struct bpf_insn **out, size_t *len)
{
	size_t cap = ARRAY_SIZE(prologue) + n * 8 + 2;
	struct bpf_insn *p = xcalloc(cap, sizeof(*p));
	memcpy(p, prologue, sizeof(prologue));
	size_t at = ARRAY_SIZE(prologue);
	for (size_t i = n; i-- > 0;)
		at = emit_rule(&rules[i], p, at);
	p[at++] = MOV64_IMM(BPF_REG_0, 0);
	p[at++] = EXIT();
	*out = p;
	*len = at;
	return 0;
}

static int bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int devices_bpf_apply(const char *dir, const rt_device_rule *rules, size_t n, err_t **err)
{
	if (!n)
		return 0;
	if (n > 4096)
		return err_invalid(err, "too many device rules");
	_cleanup_free_ struct bpf_insn *prog = NULL;
	size_t len = 0;
	devices_bpf_program(rules, n, &prog, &len);
	union bpf_attr load = {
		.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE, .insns = (uintptr_t)prog, .insn_cnt = (uint32_t)len,
		.license = (uintptr_t) "Apache-2.0",
	};
	_cleanup_close_ int fd = bpf(BPF_PROG_LOAD, &load);
	if (fd < 0) { /* again with the verifier's log, for the message */
		char log[4096] = "";
		int saved = errno;
		load.log_buf = (uintptr_t)log;
		load.log_size = sizeof(log);
		load.log_level = 1;
		bpf(BPF_PROG_LOAD, &load);
		errno = saved;
		return err_sys(err, "load the device filter%s%s", *log ? ": " : "", log);
	}
	_cleanup_close_ int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return err_sys(err, "open %s", dir);
	union bpf_attr attach = {.target_fd = (uint32_t)cg, .attach_bpf_fd = (uint32_t)fd,
				 .attach_type = BPF_CGROUP_DEVICE, .attach_flags = BPF_F_ALLOW_MULTI};
	if (bpf(BPF_PROG_ATTACH, &attach) < 0)
		return err_sys(err, "attach the device filter to %s", dir);
	return 0;
}
