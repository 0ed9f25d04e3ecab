/// OCI image-spec (and Docker schema 2) documents the store reads and writes.
enum OCI {
    enum MediaType {
        static let index = "application/vnd.oci.image.index.v1+json"
        static let manifest = "application/vnd.oci.image.manifest.v1+json"
        static let config = "application/vnd.oci.image.config.v1+json"
        static let layer = "application/vnd.oci.image.layer.v1.tar"
        static let layerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
        static let layerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
        static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
        static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
        static let dockerConfig = "application/vnd.docker.container.image.v1+json"
        static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar"
        static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"

        static let indexes: Set<String> = [index, dockerManifestList]
        static let manifests: Set<String> = [manifest, dockerManifest]
        static let layers: Set<String> = [
            layer, layerGzip, layerZstd, dockerLayer, dockerLayerGzip,
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        ]
    }

    enum Annotation {
        static let refName = "org.opencontainers.image.ref.name"
        static let containerdImageName = "io.containerd.image.name"
    }

    struct Platform: Codable, Equatable, Sendable {
        var architecture: String
        var os: String
        var variant: String?
    }

    struct Descriptor: Codable, Equatable, Sendable {
        var mediaType: String
        var digest: String
        var size: Int64
        var annotations: [String: String]?
        var platform: Platform?
    }

    struct Index: Codable, Sendable {
        var schemaVersion: Int
        var mediaType: String?
        var manifests: [Descriptor]
        var annotations: [String: String]?
    }

    struct Manifest: Codable, Sendable {
        var schemaVersion: Int
        var mediaType: String?
        var config: Descriptor
        var layers: [Descriptor]
        var annotations: [String: String]?
    }

    /// The parts of an image configuration the store uses (others are ignored, not lost:
    /// the config blob is stored as is).
    struct ImageConfiguration: Codable, Sendable {
        struct Config: Codable, Sendable {
            var User: String?
            var Env: [String]?
            var Entrypoint: [String]?
            var Cmd: [String]?
            var WorkingDir: String?
        }
        struct RootFS: Codable, Sendable {
            var type: String
            var diff_ids: [String]
        }
        var architecture: String?
        var os: String?
        var config: Config?
        var rootfs: RootFS
    }

    /// One entry of a `docker save` archive's manifest.json.
    struct DockerSaveEntry: Codable, Sendable {
        var Config: String
        var RepoTags: [String]?
        var Layers: [String]
    }

    /// GOARCH of this machine, as OCI platforms name it.
    static var hostArchitecture: String {
        #if arch(x86_64)
        return "amd64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "unknown"
        #endif
    }
}
