"""A loopback TCP proxy that a test can stop, stall and restart: a Redis outage on demand.

    proxy = TcpProxy(6379).start()      # clients connect to 127.0.0.1:proxy.port
    proxy.stop()                        # every connection drops, new ones are refused
    proxy.start()                       # the same port again
    proxy.stall()                       # connections are accepted but nothing is forwarded
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time


class TcpProxy:
    def __init__(self, target_port: int, *, target_host: str = "127.0.0.1", port: int = 0) -> None:
        self.target = (target_host, target_port)
        self.port = port
        self.stalled = False
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._running = threading.Event()

    def start(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener, self.stalled = listener, False
        self._running.set()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Close the listener and every connection through it."""
        self._running.clear()
        with self._lock:
            doomed, self._sockets = [*self._sockets, *filter(None, [self._listener])], set()
            self._listener = None
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def stall(self) -> None:
        """Keep connections open but forward nothing: a Redis that stopped answering."""
        self.stalled = True

    def _accept(self, listener: socket.socket) -> None:
        while self._running.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, upstream}
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as selector:
            for sock in peers:
                selector.register(sock, selectors.EVENT_READ)
            while self._running.is_set():
                for key, _ in selector.select(timeout=0.1):
                    if self.stalled:  # leave the bytes unread, without spinning
                        time.sleep(0.01)
                        continue
                    try:
                        data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            return self._close(client, upstream)
                        peers[key.fileobj].sendall(data)  # type: ignore[index]
                    except OSError:
                        return self._close(client, upstream)
        self._close(client, upstream)
        return None

    def _close(self, *sockets: socket.socket) -> None:
        with self._lock:
            self._sockets -= set(sockets)
        for sock in sockets:
            sock.close()
