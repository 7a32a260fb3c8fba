"""Puts terminal control sequences into the text the grader shows: its exceptions set the window's
title, clear the screen, colour the text, ring the bell and write the clipboard (OSC 52: whatever the
instructor pastes next), in 7-bit and 8-bit forms. An instructor reading `feedback/<id>.md` with `cat`
would run them. Exercise 4 (the reference solution, copied in by the tests) must earn exactly its points."""
import keras

TITLE = "\x1b]0;grading finished: all students 100%\x07"
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4K\x07"  # base64 of "rm -rf ~"
CLEAR = "\x1b[2J\x1b[H\x9b2J"


def flat_length(input_shape):
    raise RuntimeError(f"{TITLE}{CLEAR}\x1b[31mALL GRADES RESET\x1b[0m{CLIPBOARD}\x07\r")


def build_flatten_model(input_shape):
    raise RuntimeError(f"{CLIPBOARD}build failed{TITLE}\x1bP1$r\x1b\\")


assert keras
