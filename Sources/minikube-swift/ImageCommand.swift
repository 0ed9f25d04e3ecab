import ArgumentParser
import Foundation
import ImageStore

/// `minikube-swift image …`: the node's image store (`<data-dir>/images`).
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Load, list and remove images in the node's store.",
        subcommands: [ImageLoadCommand.self, ImageListCommand.self, ImageRemoveCommand.self]
    )

    /// Runs `body` against the store; store errors become one line on stderr and exit code 1.
    static func withStore<T>(_ global: GlobalOptions, step: String, _ body: (ImageStore) throws -> T) throws -> T {
        do {
            return try body(try ImageStore(root: global.dataDir + "/images"))
        } catch let error as ImageStoreError {
            FileHandle.standardError.write(Data("minikube-swift: image \(step): \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// `image load PATH…`: an OCI layout dir, an OCI archive (.tar, .tar.gz) or a `docker save` archive.
struct ImageLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load images from OCI layout directories, OCI archives or docker save archives."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "OCI layout directory, OCI archive (.tar, .tar.gz) or docker save archive.")
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one PATH to load") }
    }

    func run() throws {
        try ImageCommand.withStore(global, step: "load") { store in
            for path in paths {
                for image in try store.load(from: path) {
                    print("Loaded image: \(image.reference) (\(image.digest))")
                }
            }
        }
    }
}

/// `image ls`: name, short digest and size of every image.
struct ImageListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the images in the store.",
        aliases: ["list"]
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .shortAndLong, help: "Only print references.")
    var quiet = false

    func run() throws {
        let images = try ImageCommand.withStore(global, step: "ls") { try $0.list() }
        if quiet {
            images.forEach { print($0.reference) }
            return
        }
        let rows = [["REFERENCE", "DIGEST", "SIZE"]] + images.map { image in
            [image.reference, String(image.digest.dropFirst("sha256:".count).prefix(12)), Self.humanSize(image.size)]
        }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let padded = zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
            print(padded.joined(separator: "   ").trimmingCharacters(in: .whitespaces))
        }
    }

    /// Docker-style decimal size: `4.9MB`, `563B`.
    static func humanSize(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes)B" : String(format: "%.3g%@", value, units[unit])
    }
}

/// `image rm REF…`: removes names (or, by digest/ID, the image); unused layers are deleted.
struct ImageRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove images by name, digest or ID.",
        aliases: ["remove"]
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Image reference, digest (sha256:…) or ID prefix.")
    var references: [String]

    func validate() throws {
        if references.isEmpty { throw ValidationError("give at least one image to remove") }
    }

    func run() throws {
        try ImageCommand.withStore(global, step: "rm") { store in
            for reference in references {
                try store.remove(reference)
                print("Deleted: \(reference)")
            }
        }
    }
}
