"""The seccomp filter that leaves a submission's process no unix socket (grader.grade.socket_filter): its
program run by a small classic-BPF interpreter for each machine it has numbers for (the machine the
tests run on proves only its own), and installed for real in a child process."""

from __future__ import annotations

import struct
import subprocess
import sys

import pytest

from grader.grade.socket_filter import program

# The kernel's numbers, written out here rather than taken from the module under test: a wrong opcode or
# system call number there fails these tests on every machine, not only on the one it is wrong for.
LD_W_ABS, JEQ_K, JGE_K, AND_K, RET_K = 0x20, 0x15, 0x35, 0x54, 0x06  # BPF_LD|W|ABS, JMP|JEQ|K, JMP|JGE|K, ALU|AND|K, RET|K
SECCOMP_RET_ALLOW, DENY = 0x7FFF0000, 0x00050000 | 13  # SECCOMP_RET_ERRNO | EACCES
AF_UNIX = 1
SYSCALLS = {  # AUDIT_ARCH_*, __NR_socket, __NR_socketpair, __NR_io_uring_setup
    "x86_64": (0xC000003E, 41, 53, 425),
    "aarch64": (0xC00000B7, 198, 199, 425),
}
AF_INET, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_CLOEXEC = 2, 1, 2, 3, 5, 0o2000000


def run(instructions, nr: int, arch: int, args: tuple[int, ...] = ()) -> int:
    """What the kernel would do with system call `nr` of `arch` and `args`: the filter's return value."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, *(list(args) + [0] * (6 - len(args))))
    accumulator, pc = 0, 0
    while True:
        code, jt, jf, k = instructions[pc]
        pc += 1
        if code == LD_W_ABS:
            accumulator = struct.unpack_from("<I", data, k)[0]
        elif code == AND_K:
            accumulator &= k
        elif code in (JEQ_K, JGE_K):
            taken = accumulator == k if code == JEQ_K else accumulator >= k
            pc += jt if taken else jf
        elif code == RET_K:
            return k
        else:
            raise AssertionError(f"an instruction this interpreter does not know: {code:#x}")
        assert 0 <= pc < len(instructions), "a jump out of the program"


@pytest.mark.parametrize("machine", sorted(SYSCALLS))
def test_the_filter_refuses_unix_sockets_and_nothing_a_submission_needs(machine):
    arch, socket, socketpair, io_uring_setup = SYSCALLS[machine]
    instructions = program(machine)
    assert run(instructions, socket, arch, (AF_UNIX, SOCK_STREAM)) == DENY
    assert run(instructions, socket, arch, (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC)) == DENY
    assert run(instructions, socket, arch, (AF_INET, SOCK_STREAM)) == SECCOMP_RET_ALLOW  # its own empty network
    assert run(instructions, socketpair, arch, (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC)) == SECCOMP_RET_ALLOW
    assert run(instructions, socketpair, arch, (AF_UNIX, SOCK_SEQPACKET)) == SECCOMP_RET_ALLOW
    assert run(instructions, socketpair, arch, (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC)) == DENY
    assert run(instructions, socketpair, arch, (AF_UNIX, SOCK_RAW)) == DENY  # the kernel makes it a datagram pair
    assert run(instructions, io_uring_setup, arch) == DENY
    assert run(instructions, 0, arch) == run(instructions, 1, arch) == SECCOMP_RET_ALLOW  # read, write (x86_64)
    assert run(instructions, socket, 0x40000003, (AF_UNIX,)) == DENY  # i386's numbers
    if machine == "x86_64":
        assert run(instructions, 0x40000000 | socket, arch, (AF_UNIX,)) == DENY  # x32's


REFUSED = """import ctypes, multiprocessing, os, socket
from grader.grade.socket_filter import forbid_new_unix_sockets
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(38, 1, 0, 0, 0) == 0  # no_new_privs, as confine sets it first
assert forbid_new_unix_sockets(libc) is None
refused = []
for make in (lambda: socket.socket(socket.AF_UNIX), lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM),
             lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_RAW)):
    try:
        make()
    except PermissionError:
        refused.append("refused")
mine, theirs = multiprocessing.Pipe(duplex=True)  # a stream pair: still made
mine.send("piped")
socket.socket(socket.AF_INET).close()
child = os.fork()
if child == 0:
    try:
        socket.socket(socket.AF_UNIX)
        os._exit(1)
    except PermissionError:
        os._exit(0)
print(refused, theirs.recv(), os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
"""


def test_a_process_with_the_filter_and_its_children_make_no_unix_socket(root):
    done = subprocess.run([sys.executable, "-c", REFUSED], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "['refused', 'refused', 'refused'] piped 0", done.stderr[-2000:]
