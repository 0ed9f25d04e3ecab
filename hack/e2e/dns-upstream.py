#!/usr/bin/env python3
"""A stand-in upstream resolver for the end-to-end tests, on 127.0.0.1 inside their network
namespace: answers every A query with 192.0.2.53 (TEST-NET-1), over UDP and TCP, so a test sees
that cluster DNS forwarded a name outside cluster.local without anything leaving the machine.
Usage: dns-upstream.py PORT"""
import socket
import struct
import sys
import threading


def answer(query: bytes) -> bytes | None:
    if len(query) < 12:
        return None
    end = 12
    while end < len(query) and query[end] != 0:
        end += query[end] + 1
    end += 5  # the root label, QTYPE, QCLASS
    if end > len(query):
        return None
    qtype = struct.unpack("!H", query[end - 4:end - 2])[0]
    flags = 0x8180 | (struct.unpack("!H", query[2:4])[0] & 0x0100)  # QR, RA; RD as asked
    answers = 1 if qtype == 1 else 0
    header = query[:2] + struct.pack("!HHHHH", flags, 1, answers, 0, 0)
    record = struct.pack("!HHHIH", 0xC00C, 1, 1, 30, 4) + socket.inet_aton("192.0.2.53")
    return header + query[12:end] + (record if answers else b"")


def serve_udp(port: int) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    while True:
        data, peer = s.recvfrom(4096)
        reply = answer(data)
        if reply:
            s.sendto(reply, peer)


def serve_tcp(port: int) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    while True:
        connection, _ = s.accept()
        with connection:
            data = b""
            while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                data += chunk
            reply = answer(data[2:])
            if reply:
                connection.sendall(struct.pack("!H", len(reply)) + reply)


if __name__ == "__main__":
    port = int(sys.argv[1])
    threading.Thread(target=serve_tcp, args=(port,), daemon=True).start()
    serve_udp(port)
