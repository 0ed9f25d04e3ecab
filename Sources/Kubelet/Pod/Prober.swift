import Dispatch
import Foundation
import Glibc
import KubeModel

/// The outcome of one probe.
public enum ProbeResult: Sendable, Equatable {
    case success
    case failure(String)
}

/// Runs `httpGet` and `tcpSocket` probes from the node against a pod's address, as the
/// kubelet's prober does (exec probes go through the runtime). Blocking socket work runs off
/// the cooperative pool.
public enum Prober {
    /// The port a probe names: a number, or the name of one of the container's ports.
    public static func port(_ port: IntOrString, container: Container) -> Int32? {
        switch port {
        case .int(let value): return value
        case .string(let name):
            if let number = Int32(name) { return number }
            return container.ports?.first { $0.name == name }?.containerPort
        }
    }

    /// `GET http://host:port/path`: success for a status from 200 to 399.
    public static func httpGet(host: String, port: Int32, path: String, headers: [HTTPHeader] = [], timeout: Duration) async -> ProbeResult {
        await offload {
            let fd: Int32
            switch connect(host: host, port: port, timeout: timeout) {
            case .success(let socket): fd = socket
            case .failure(let message): return .failure("Get \"http://\(host):\(port)\(path)\": \(message)")
            }
            defer { close(fd) }
            var request = "GET \(path.isEmpty ? "/" : path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: kube-probe/1.33\r\nAccept: */*\r\nConnection: close\r\n"
            for header in headers { request += "\(header.name): \(header.value)\r\n" }
            request += "\r\n"
            let bytes = Array(request.utf8)
            guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
                return .failure("Get \"http://\(host):\(port)\(path)\": write: \(String(cString: strerror(errno)))")
            }
            var response: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1024)
            let deadline = ContinuousClock.now + timeout
            while !response.contains(10), response.count < 8192 {
                let left = deadline - ContinuousClock.now
                guard left > .zero else { return .failure("Get \"http://\(host):\(port)\(path)\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)") }
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ms = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
                if poll(&pfd, 1, max(1, ms)) <= 0 { continue }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                response += buffer[0..<n]
            }
            let line = String(decoding: response.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let code = Int(fields[1]) else {
                return .failure("Get \"http://\(host):\(port)\(path)\": malformed HTTP response \"\(line)\"")
            }
            return (200..<400).contains(code) ? .success : .failure("HTTP probe failed with statuscode: \(code)")
        }
    }

    /// A TCP connection to `host:port` opens within the timeout.
    public static func tcpSocket(host: String, port: Int32, timeout: Duration) async -> ProbeResult {
        await offload {
            switch connect(host: host, port: port, timeout: timeout) {
            case .success(let fd):
                close(fd)
                return .success
            case .failure(let message):
                return .failure("dial tcp \(host):\(port): \(message)")
            }
        }
    }

    enum Connection {
        case success(Int32)
        case failure(String)
    }

    static func connect(host: String, port: Int32, timeout: Duration) -> Connection {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return .failure("invalid address \(host)") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure("socket: \(String(cString: strerror(errno)))") }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc < 0 && errno != EINPROGRESS {
            let message = "connect: \(String(cString: strerror(errno)))"
            close(fd)
            return .failure(message)
        }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ms = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&pfd, 1, max(1, ms)) == 1 else {
            close(fd)
            return .failure("i/o timeout")
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        guard error == 0 else {
            close(fd)
            return .failure("connect: \(String(cString: strerror(error)))")
        }
        return .success(fd)
    }

    static func offload(_ body: @escaping @Sendable () -> ProbeResult) async -> ProbeResult {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }
}
