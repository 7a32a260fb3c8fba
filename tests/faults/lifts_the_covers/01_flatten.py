"""Tries to lift the sandbox's covers from the inside, and reports what it managed through exercise 1's
feedback (exercise 4, the reference solution copied in by the tests, must earn exactly its points).

Run by an unprivileged instructor, the sandbox is a user namespace of the submission's own, where a
process starts with every capability over that namespace's mounts. So it tries, with whatever
capabilities it holds:

- unmounting every tmpfs it finds (the covers over the solutions, the hidden checks, the tests, the temp
  and home folders) and making the read-only file system writable again (mount_setattr, a bind remount);
- the same from a user namespace and mount namespace it makes itself;
- then reading the reference solution and writing a file into the course's folder.
"""
import ctypes
import ctypes.util
import os
from pathlib import Path

import grader

LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
COURSE = Path(grader.__file__).resolve().parents[1]
MNT_DETACH, MS_REMOUNT, MS_BIND = 2, 32, 4096
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
AT_FDCWD, AT_RECURSIVE, MOUNT_ATTR_RDONLY, SYS_MOUNT_SETATTR = -100, 0x8000, 0x1, 442


class MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64), ("propagation", ctypes.c_uint64),
                ("userns_fd", ctypes.c_uint64)]


def capabilities() -> str:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return line.split()[1].lstrip("0") or "0"
    return "unknown"


def covers() -> list[str]:
    """Mount points of every tmpfs, deepest first."""
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        if fields[fields.index("-") + 1] == "tmpfs":
            points.append(fields[4].replace("\\040", " "))
    return sorted(set(points), key=len, reverse=True)


def lift() -> tuple[int, bool]:
    """(how many tmpfs mounts came off, whether / was made writable again)."""
    unmounted = sum(LIBC.umount2(point.encode(), MNT_DETACH) == 0 for point in covers())
    attr = MountAttr(0, MOUNT_ATTR_RDONLY, 0, 0)
    writable = LIBC.syscall(SYS_MOUNT_SETATTR, AT_FDCWD, b"/", AT_RECURSIVE, ctypes.byref(attr),
                            ctypes.sizeof(attr)) == 0
    writable |= LIBC.mount(None, b"/", None, MS_REMOUNT | MS_BIND, None) == 0
    return unmounted, writable


def lift_from_a_namespace_of_its_own() -> str:
    """The same from a fresh user and mount namespace (which the kernel allows an unprivileged process)."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        report = "refused"
        try:
            uid, gid = os.getuid(), os.getgid()
            if LIBC.unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0:
                for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
                    try:
                        Path(f"/proc/self/{name}").write_text(text)
                    except OSError:
                        pass
                unmounted, writable = lift()
                report = f"{unmounted}/{'yes' if writable else 'no'}"
        finally:
            os.write(write, report.encode())
            os._exit(0)
    os.close(write)
    report = os.read(read, 100).decode() or "none"
    os.waitpid(child, 0)
    return report


NESTED = lift_from_a_namespace_of_its_own()
CAPS = capabilities()
UNMOUNTED, WRITABLE = lift()
try:
    SOLUTION = "read" if (COURSE / "solutions" / "04_sequential.py").read_text() else "empty"
except OSError:
    SOLUTION = "unread"
try:
    (COURSE / "lifted-by-a-student").write_text("the course's folder was writable")
    WROTE = "yes"
except OSError:
    WROTE = "no"


def flat_length(input_shape):
    raise RuntimeError("not attempted")


def build_flatten_model(input_shape):
    raise RuntimeError(f"LIFT caps={CAPS} unmounted={UNMOUNTED} writable={'yes' if WRITABLE else 'no'} "
                       f"nested={NESTED} solution={SOLUTION} wrote={WROTE}")
