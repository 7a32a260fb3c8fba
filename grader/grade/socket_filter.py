"""No new unix socket in a submission's process: a seccomp filter, installed last in `confine`.

A network namespace cuts a process off the machine's network and its abstract unix sockets, but not off
the unix sockets bound to a path: `connect()` reaches those through the file system, and a read-only
mount does not stop it. The sandbox covers the folders where programs keep them (the temp folders,
/run, /var, the home folder) and, by /dev/null, every other socket the machine's socket table lists
when the grading run starts (`grader.grade.student.machine_sockets`). A socket bound after that list was
read, in a folder no cover holds (/srv, /opt, the top of the file system), stayed in reach for the whole
run. With this filter the process cannot make a socket that could connect to one:

- `socket(AF_UNIX, ...)` fails with EACCES (a connected stream or seqpacket pair, `socketpair`, is
  left: multiprocessing's pipes are made of them, and such a pair cannot be connected anywhere else);
- a `socketpair` of any other type fails too: a datagram socket can `sendto()` any path (and the kernel
  makes a unix SOCK_RAW pair a datagram one);
- `io_uring_setup` fails: an io_uring can make sockets without the `socket` system call;
- a system call of another ABI (i386's `socketcall` through `int 0x80`, x32) fails: the filter reads the
  numbers of the machine's own.

The filter is inherited by every child and cannot be removed (no_new_privs is set before it)."""

from __future__ import annotations

import ctypes
import os
import platform

PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
AF_UNIX, SOCK_STREAM, SOCK_SEQPACKET, SOCK_TYPE_MASK = 1, 1, 5, 0xF
EACCES = 13
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
X32_SYSCALL_BIT = 0x40000000
# (audit architecture, socket, socketpair, io_uring_setup) of the machines the grader runs on
SYSCALLS = {
    "x86_64": (0xC000003E, 41, 53, 425),
    "aarch64": (0xC00000B7, 198, 199, 425),
    "arm64": (0xC00000B7, 198, 199, 425),
}

# classic BPF opcodes
LD_W_ABS, JEQ_K, JGE_K, AND_K, RET_K = 0x20, 0x15, 0x35, 0x54, 0x06
NR, ARCH, ARG0, ARG1 = 0, 4, 16, 24  # offsets in struct seccomp_data (the arguments' low 32 bits, little-endian)


class _Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_Instruction))]


def program(machine: str) -> list[tuple[int, int, int, int]]:
    """The filter's instructions (code, jump if true, jump if false, constant) for `machine`. KeyError for
    a machine the grader has no numbers for."""
    arch, socket, socketpair, io_uring_setup = SYSCALLS[machine]
    # (label, code, where to go if true, where to go if false, constant); a jump names its target's label
    steps = [
        ("", LD_W_ABS, None, None, ARCH),
        ("", JEQ_K, "number", "deny", arch),  # another ABI's numbers: denied
        ("number", LD_W_ABS, None, None, NR),
        ("", JGE_K, "deny", "", X32_SYSCALL_BIT),
        ("", JEQ_K, "deny", "", io_uring_setup),
        ("", JEQ_K, "socket", "", socket),
        ("", JEQ_K, "socketpair", "allow", socketpair),
        ("socket", LD_W_ABS, None, None, ARG0),  # socket(domain, type, protocol)
        ("", JEQ_K, "deny", "allow", AF_UNIX),
        ("socketpair", LD_W_ABS, None, None, ARG1),  # socketpair(domain, type, protocol, sv)
        ("", AND_K, None, None, SOCK_TYPE_MASK),  # the type without SOCK_CLOEXEC and SOCK_NONBLOCK
        ("", JEQ_K, "allow", "", SOCK_STREAM),
        ("", JEQ_K, "allow", "deny", SOCK_SEQPACKET),
        ("allow", RET_K, None, None, SECCOMP_RET_ALLOW),
        ("deny", RET_K, None, None, SECCOMP_RET_ERRNO | EACCES),
    ]
    where = {label: index for index, (label, *_) in enumerate(steps) if label}

    def offset(index: int, target: str | None) -> int:
        return 0 if not target else where[target] - index - 1  # "" or None: the next instruction

    return [(code, offset(i, true), offset(i, false), k) for i, (_, code, true, false, k) in enumerate(steps)]


def forbid_new_unix_sockets(libc) -> str | None:
    """Install the filter in this process (no_new_privs must be set already). None when it holds, else why
    it could not be installed (a machine without numbers here, a kernel without seccomp filters)."""
    try:
        instructions = program(platform.machine())
    except KeyError:
        return f"no socket filter for {platform.machine()}"
    array = (_Instruction * len(instructions))(*(_Instruction(*i) for i in instructions))
    prog = _Program(len(instructions), ctypes.cast(array, ctypes.POINTER(_Instruction)))
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        return f"no socket filter ({os.strerror(ctypes.get_errno())})"
    return None
