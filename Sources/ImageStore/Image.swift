/// What the runtime needs from an image's config (the OCI image config's `config` section).
public struct ImageConfig: Sendable, Equatable, Codable {
    public var entrypoint: [String]?
    public var cmd: [String]?
    /// `K=V` pairs.
    public var env: [String]
    public var workingDir: String?
    /// `uid[:gid]` or a user name; nil means root.
    public var user: String?

    public init(entrypoint: [String]? = nil, cmd: [String]? = nil, env: [String] = [],
                workingDir: String? = nil, user: String? = nil) {
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.env = env
        self.workingDir = workingDir
        self.user = user
    }
}

/// An image in the store, ready to run.
public struct Image: Sendable, Equatable {
    /// The normalized name it was resolved by (or its digest when it has no name).
    public var reference: String
    /// The manifest digest `sha256:…` (the image ID).
    public var digest: String
    public var config: ImageConfig
    /// Unpacked layer directories, lowest first. overlayfs `lowerdir` is these reversed,
    /// joined with `:`.
    public var layerPaths: [String]
    /// Bytes of the image's blobs (manifest, config and compressed layers).
    public var size: Int64

    /// The overlayfs `lowerdir=` value for this image (top layer first).
    public var lowerDir: String { layerPaths.reversed().joined(separator: ":") }
}
