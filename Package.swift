// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "minikube-swift",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "minikube-swift", targets: ["minikube-swift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // C: the only code that runs between clone and execve.
        .target(
            name: "CNamespaces",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("seccomp"), .linkedLibrary("cap")]
        ),
        // C: libarchive behind a small, safe surface (tar + gzip reading).
        .target(
            name: "CArchive",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("archive")]
        ),
        // C: zlib with a preset dictionary (SPDY/3 header blocks of `kubectl exec`).
        .target(
            name: "CZlib",
            linkerSettings: [.linkedLibrary("z")]
        ),
        // Kubernetes API types, quantities, selectors, validation, defaulting.
        .target(
            name: "KubeModel",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // OCI image layouts, the content store, layer unpacking.
        .target(
            name: "ImageStore",
            dependencies: [
                "CArchive",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The node agent and its container runtime.
        .target(
            name: "Kubelet",
            dependencies: [
                "CNamespaces",
                "ImageStore",
                "KubeModel",
                "KubeClient",
                "Controllers",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Control loops: work queues, StatefulSet, PV binder, endpoints, garbage collector.
        .target(
            name: "Controllers",
            dependencies: ["KubeModel", "KubeClient", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Scheduler",
            dependencies: ["KubeModel", "KubeClient", "Controllers", .product(name: "Logging", package: "swift-log")]
        ),
        // Cluster DNS: the cluster.local zone from Services, EndpointSlices and Pods.
        .target(
            name: "ClusterDNS",
            dependencies: [
                "KubeModel", "KubeClient", "Controllers",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The API server: certificates, storage, REST, watch, discovery, OpenAPI.
        .target(
            name: "ServiceProxy",
            dependencies: ["KubeModel", "KubeClient", "Controllers", "Kubelet", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "APIServer",
            dependencies: [
                "CZlib",
                "KubeModel",
                "KubeClient",
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Clients of the API: the protocol and its HTTPS implementation (the in-process one lives in APIServer).
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "minikube-swift",
            dependencies: [
                "APIServer",
                "Controllers",
                "KubeClient",
                "Kubelet",
                "ImageStore",
                "KubeModel",
                "Scheduler",
                "ClusterDNS",
                "ServiceProxy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TestSupport", dependencies: ["KubeClient", "KubeModel", "Kubelet"], path: "Tests/TestSupport"),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel"]),
        .testTarget(name: "ImageStoreTests", dependencies: ["ImageStore"]),
        .testTarget(name: "ClusterDNSTests", dependencies: ["ClusterDNS", "KubeModel", "KubeClient", "TestSupport"]),
        .testTarget(name: "ServiceProxyTests", dependencies: ["ServiceProxy", "Kubelet", "KubeModel", "KubeClient", "APIServer", "TestSupport"]),
        .testTarget(name: "KubeletTests", dependencies: ["Kubelet", "KubeClient", "APIServer", "TestSupport"]),
        .testTarget(
            name: "APIServerTests",
            dependencies: [
                "APIServer", "KubeClient", "KubeModel", "Kubelet",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "ControllersTests", dependencies: ["Controllers", "Scheduler", "APIServer", "KubeClient"]),
        // Privileged tests: real namespaces, mounts, cgroups. They skip when not root.
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Kubelet", "ImageStore", "KubeModel", "KubeClient", "APIServer", "Controllers", "Scheduler"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
