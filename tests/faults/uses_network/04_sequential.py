"""Tries to reach a server on the grading machine's loopback and reports what happened."""
import socket

PORT = 9  # the test writes the port of a server it runs on loopback here


def build_model():
    port = PORT
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as connection:
            connection.sendall(b"hello from a submission\n")
        outcome = "CONNECTED"
    except OSError as error:
        outcome = f"NO NETWORK ({error})"
    raise RuntimeError(outcome)
