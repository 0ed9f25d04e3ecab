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
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Control loops: work queues, StatefulSet, PV binder, endpoints, garbage collector.
        .target(
            name: "Controllers",
            dependencies: ["KubeModel", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Scheduler",
            dependencies: ["KubeModel"]
        ),
        .executableTarget(
            name: "minikube-swift",
            dependencies: [
                "Kubelet",
                "ImageStore",
                "KubeModel",
                "Scheduler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel"]),
        .testTarget(name: "ImageStoreTests", dependencies: ["ImageStore"]),
        .testTarget(name: "KubeletTests", dependencies: ["Kubelet"]),
        .testTarget(name: "ControllersTests", dependencies: ["Controllers"]),
        // Privileged tests: real namespaces, mounts, cgroups. They skip when not root.
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Kubelet", "ImageStore", "KubeModel"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
