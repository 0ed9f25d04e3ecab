import AsyncHTTPClient
import Foundation
import KubeModel
import NIOCore

extension HTTPKubeClient {
    /// `GET …/pods/<pod>/log`: the container's log as it arrives (`options.follow` keeps the
    /// stream open until the container stops or the caller stops iterating). `container` nil
    /// lets the server pick the pod's only container. A Status answer becomes a `KubeAPIError`.
    public func logs(namespace: String?, pod: String, container: String?, options: PodLogOptions = PodLogOptions()) async throws
        -> AsyncThrowingStream<[UInt8], any Error>
    {
        let query = Self.queryString([
            ("container", container), ("follow", options.follow ? "true" : nil), ("previous", options.previous ? "true" : nil),
            ("timestamps", options.timestamps ? "true" : nil), ("tailLines", options.tailLines.map(String.init)),
            ("sinceSeconds", options.sinceSeconds.map(String.init)), ("sinceTime", options.sinceTime),
            ("limitBytes", options.limitBytes.map(String.init)),
        ])
        let path = Self.path(try Pod.resource, namespace: namespace ?? defaultNamespace, name: pod, subresource: "log") + query
        let request = try makeRequest(.GET, path, accept: "text/plain, application/json")
        let response = try await http.execute(request, timeout: options.follow ? .hours(24 * 365) : .seconds(60))
        guard response.status == .ok else {
            let bytes = try await response.body.collect(upTo: 1024 * 1024)
            let data = Data(bytes.readableBytesView)
            throw (try? JSONValue(json: data)).flatMap { KubeAPIError(status: $0) }
                ?? KubeAPIError(code: Int(response.status.code), reason: response.status.reasonPhrase,
                                message: String(decoding: data, as: UTF8.self))
        }
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await chunk in response.body {
                        continuation.yield(Array(chunk.readableBytesView))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
