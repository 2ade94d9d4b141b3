"""A small threaded TCP proxy a test can cut and restore: a real broken connection.

``cut()`` closes every proxied connection (the client sees the server go away)
and stops accepting (new connections are refused); ``restore()`` accepts again on
the same port.  ``hang()`` holds every byte while the connections stay open (a
server that takes the bytes and never answers: no TCP timeout notices) until
``flow()``.  The shared PostgreSQL server itself is never touched.
"""
from __future__ import annotations

import selectors
import socket
import threading


class TcpProxy:
    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432), host: str = "127.0.0.1") -> None:
        self.target = target
        self.host = host
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._acceptor: threading.Thread | None = None
        self._pipes: list[threading.Thread] = []
        self._flowing = threading.Event()
        self._flowing.set()
        self.accepted = 0

    # --- control -------------------------------------------------------------------

    def start(self) -> int:
        """Listen (on an ephemeral port the first time, the same port after a cut)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop = threading.Event()
        self._acceptor = threading.Thread(target=self._accept_loop, args=(listener, self._stop),
                                          name=f"tcp-proxy-accept-{self.port}", daemon=True)
        self._acceptor.start()
        return self.port

    def cut(self) -> None:
        """Close every connection and stop accepting: the server looks gone."""
        self._stop.set()
        self._flowing.set()  # pipes holding bytes wake, find their sockets closed, and end
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
            self._acceptor = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            _close(sock)
        for pipe in self._pipes:
            pipe.join(timeout=5)
        self._pipes = []

    def restore(self) -> None:
        """Accept again on the same port."""
        self.start()

    def close(self) -> None:
        self.cut()

    def __enter__(self) -> TcpProxy:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- threads -------------------------------------------------------------------

    def hang(self) -> None:
        """Hold every byte from now on, both ways; the connections stay open."""
        self._flowing.clear()

    def flow(self) -> None:
        """Let the held bytes (and every later one) through."""
        self._flowing.set()

    def _accept_loop(self, listener: socket.socket, stop: threading.Event) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(listener, selectors.EVENT_READ)
            while not stop.is_set():
                if not sel.select(timeout=0.05):
                    continue
                try:
                    client, _ = listener.accept()
                except OSError:
                    return
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                    upstream.settimeout(None)
                except OSError:
                    _close(client)
                    continue
                with self._lock:
                    if stop.is_set():
                        _close(client)
                        _close(upstream)
                        return
                    self._sockets.update((client, upstream))
                    self.accepted += 1
                    for src, dst in ((client, upstream), (upstream, client)):
                        pipe = threading.Thread(target=self._pipe, args=(src, dst), daemon=True)
                        self._pipes.append(pipe)
                        pipe.start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                self._flowing.wait()
                dst.sendall(data)
        except OSError:
            pass
        finally:
            _close(src)
            _close(dst)
            with self._lock:
                self._sockets.discard(src)
                self._sockets.discard(dst)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
