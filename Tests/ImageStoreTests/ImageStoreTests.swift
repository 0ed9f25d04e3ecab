import Foundation
import Testing
@testable import ImageStore

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ImageStoreTests {
    static func layer(_ files: [String: String]) -> Data {
        var tar = TarWriter()
        for (name, text) in files.sorted(by: { $0.key < $1.key }) { tar.add(name, .file(text)) }
        return tar.archive
    }

    @Test func loadsAndResolvesAnOCILayout() throws {
        let dir = try TemporaryDirectory()
        var layout = try LayoutBuilder(path: dir.path + "/layout")
        let base = Self.layer(["bin/sh": "shell", "etc/hostname": "base"])
        let top = Self.layer(["etc/hostname": "top", "srv/index.html": "hi"])
        let digest = try layout.addImage(name: "example.com/web:1", layers: [base, top], cmd: ["serve"])
        let store = try ImageStore(root: dir.path + "/store")

        let loaded = try store.load(from: layout.path)
        #expect(loaded.map(\.reference) == ["example.com/web:1"])
        let image = try store.resolve("example.com/web:1")
        #expect(image.digest == digest)
        #expect(image.config == ImageConfig(cmd: ["serve"], env: ["PATH=/bin"], workingDir: "/srv", user: "33:33"))
        #expect(image.layerPaths.count == 2)
        #expect(contents(image.layerPaths[0] + "/etc/hostname") == "base")
        #expect(contents(image.layerPaths[1] + "/etc/hostname") == "top")
        #expect(image.lowerDir == image.layerPaths[1] + ":" + image.layerPaths[0])
        #expect(image.size > Int64(base.count + top.count))
        // The same image by digest, by ID prefix, and name@digest.
        #expect(try store.resolve(digest).digest == digest)
        #expect(try store.resolve(String(digest.dropFirst(7).prefix(12))).digest == digest)
        #expect(try store.resolve("example.com/web@" + digest).digest == digest)
        #expect(throws: ImageStoreError.notFound("example.com/web:2")) { try store.resolve("example.com/web:2") }

        // Loading again changes nothing and unpacks nothing twice.
        let before = try storeContents(store.root)
        try store.load(from: layout.path)
        let after = try storeContents(store.root)
        #expect(before.blobs == after.blobs && before.layers == after.layers && after.tmp.isEmpty)
    }

    @Test func shortNamesResolveLikeKubernetes() throws {
        let dir = try TemporaryDirectory()
        var layout = try LayoutBuilder(path: dir.path + "/layout")
        try layout.addImage(name: "docker.io/library/busybox:latest", layers: [Self.layer(["bin/sh": "x"])])
        let store = try ImageStore(root: dir.path + "/store")
        try store.load(from: layout.path)
        for name in ["busybox", "busybox:latest", "library/busybox", "docker.io/busybox", "docker.io/library/busybox:latest"] {
            #expect(try store.resolve(name).reference == "docker.io/library/busybox:latest")
        }
        #expect(throws: ImageStoreError.notFound("busybox:1.36")) { try store.resolve("busybox:1.36") }
    }

    @Test func corruptBlobIsRefusedAndNothingIsLeft() throws {
        let dir = try TemporaryDirectory()
        var layout = try LayoutBuilder(path: dir.path + "/layout")
        let layer = Self.layer(["f": "content"])
        try layout.addImage(name: "example.com/x:1", layers: [layer])
        // Same length, one byte flipped: the digest names other content.
        let blob = layout.path + "/blobs/sha256/" + sha256Hex(layer)
        var data = try Data(contentsOf: URL(fileURLWithPath: blob))
        data[600] ^= 0xff
        try data.write(to: URL(fileURLWithPath: blob))
        let store = try ImageStore(root: dir.path + "/store")

        do {
            try store.load(from: layout.path)
            Issue.record("a corrupt blob was accepted")
        } catch let ImageStoreError.digestMismatch(path, expected, actual) {
            #expect(path == blob)
            #expect(expected == "sha256:" + sha256Hex(layer))
            #expect(actual == "sha256:" + sha256Hex(data))
        }
        let left = try storeContents(store.root)
        #expect(left.blobs.isEmpty && left.layers.isEmpty && left.tmp.isEmpty && left.refs == nil)
    }

    @Test func truncatedBlobIsRefused() throws {
        let dir = try TemporaryDirectory()
        var layout = try LayoutBuilder(path: dir.path + "/layout")
        let layer = Self.layer(["f": "content"])
        try layout.addImage(name: "example.com/x:1", layers: [layer])
        let blob = layout.path + "/blobs/sha256/" + sha256Hex(layer)
        try layer.prefix(512).write(to: URL(fileURLWithPath: blob))
        let store = try ImageStore(root: dir.path + "/store")
        #expect(throws: ImageStoreError.self) { try store.load(from: layout.path) }
        let left = try storeContents(store.root)
        #expect(left.blobs.isEmpty && left.layers.isEmpty && left.tmp.isEmpty && left.refs == nil)
    }

    @Test func wrongDiffIDIsRefused() throws {
        let dir = try TemporaryDirectory()
        var layout = try LayoutBuilder(path: dir.path + "/layout")
        let wrong = "sha256:" + String(repeating: "0", count: 64)
        try layout.addImage(name: "example.com/x:1", layers: [Self.layer(["f": "x"])], diffIDs: [wrong])
        let store = try ImageStore(root: dir.path + "/store")
        #expect {
            try store.load(from: layout.path)
        } throws: { error in
            guard case let ImageStoreError.digestMismatch(_, expected, _) = error else { return false }
            return expected == wrong
        }
        let left = try storeContents(store.root)
        #expect(left.blobs.isEmpty && left.layers.isEmpty && left.tmp.isEmpty && left.refs == nil)
    }

    @Test func hostileLayerIsRefusedAndNothingIsLeft() throws {
        let dir = try TemporaryDirectory()
        var layout = try LayoutBuilder(path: dir.path + "/layout")
        var tar = TarWriter()
        tar.add("ok", .file("fine"))
        tar.add("../../../../evil", .file("pwned"))
        try layout.addImage(name: "example.com/good:1", layers: [Self.layer(["a": "a"])])
        try layout.addImage(name: "example.com/evil:1", layers: [tar.archive])
        let store = try ImageStore(root: dir.path + "/store")
        #expect(throws: ImageStoreError.unsafePath(entry: "../../../../evil", reason: "'..' component")) {
            try store.load(from: layout.path)
        }
        let left = try storeContents(store.root)
        #expect(left.blobs.isEmpty && left.layers.isEmpty && left.tmp.isEmpty && left.refs == nil)
        #expect(!fileExists(dir.path + "/evil"))
    }

    @Test func removeCollectsLayersNoImageUses() throws {
        let dir = try TemporaryDirectory()
        var layout = try LayoutBuilder(path: dir.path + "/layout")
        let shared = Self.layer(["bin/sh": "shell"])
        try layout.addImage(name: "example.com/a:1", layers: [shared, Self.layer(["a": "a"])])
        try layout.addImage(name: "example.com/b:1", layers: [shared, Self.layer(["b": "b"])], cmd: ["b"])
        let store = try ImageStore(root: dir.path + "/store")
        try store.load(from: layout.path)
        #expect(try store.list().map(\.reference) == ["example.com/a:1", "example.com/b:1"])
        #expect(try storeContents(store.root).layers.count == 3)

        try store.remove("example.com/a:1")
        #expect(throws: ImageStoreError.notFound("example.com/a:1")) { try store.resolve("example.com/a:1") }
        let b = try store.resolve("example.com/b:1")
        #expect(try storeContents(store.root).layers.count == 2)
        #expect(b.layerPaths.allSatisfy { FileSystem.isDirectory($0) })

        #expect(throws: ImageStoreError.notFound("example.com/a:1")) { try store.remove("example.com/a:1") }
        try store.remove(b.digest)
        let left = try storeContents(store.root)
        #expect(left.blobs.isEmpty && left.layers.isEmpty)
        #expect(try store.list().isEmpty)
    }

    @Test func loadsAnOCIArchive() throws {
        let dir = try TemporaryDirectory()
        var layout = try LayoutBuilder(path: dir.path + "/layout")
        let digest = try layout.addImage(name: "k8s.gcr.io/nginx-slim:0.8", layers: [Self.layer(["usr/sbin/nginx": "bin"])])
        // Pack the layout as `tar -C layout .` would.
        var tar = TarWriter()
        tar.add("./", .directory)
        for file in ["oci-layout", "index.json"] + (try FileSystem.directoryEntries(layout.path + "/blobs/sha256")).map({ "blobs/sha256/" + $0 }) {
            tar.add("./" + file, .file(contents(layout.path + "/" + file)!))
        }
        let archive = dir.path + "/image.tar"
        try tar.write(to: archive)
        let store = try ImageStore(root: dir.path + "/store")
        let loaded = try store.load(from: try gzip(archive))
        #expect(loaded.map(\.digest) == [digest])
        #expect(try store.resolve("k8s.gcr.io/nginx-slim:0.8").digest == digest)
        #expect(try storeContents(store.root).tmp.isEmpty)
    }

    @Test func loadsADockerSaveArchive() throws {
        let dir = try TemporaryDirectory()
        let layer = Self.layer(["bin/sh": "shell"])
        let layerHex = sha256Hex(layer)
        let config = try JSONSerialization.data(withJSONObject: [
            "architecture": "amd64", "os": "linux", "config": ["Cmd": ["sh"]],
            "rootfs": ["type": "layers", "diff_ids": ["sha256:" + layerHex]],
        ], options: [.sortedKeys])
        let configHex = sha256Hex(config)
        let manifest = try JSONSerialization.data(withJSONObject: [
            ["Config": configHex + ".json", "RepoTags": ["busybox:latest", "example.com/bb:2"],
             "Layers": ["\(layerHex)/layer.tar"]],
        ])
        var tar = TarWriter()
        tar.add("manifest.json", .file(String(decoding: manifest, as: UTF8.self)))
        tar.add(configHex + ".json", .file(String(decoding: config, as: UTF8.self)))
        tar.add(layerHex + "/", .directory)
        tar.add(layerHex + "/layer.tar", .file(String(decoding: layer, as: UTF8.self)))
        let archive = dir.path + "/saved.tar"
        try tar.write(to: archive)

        let store = try ImageStore(root: dir.path + "/store")
        let loaded = try store.load(from: archive)
        #expect(loaded.map(\.reference) == ["docker.io/library/busybox:latest"])
        let image = try store.resolve("busybox")
        #expect(try store.resolve("example.com/bb:2").digest == image.digest)
        #expect(image.config.cmd == ["sh"])
        #expect(contents(image.layerPaths[0] + "/bin/sh") == "shell")
    }

    @Test func rejectsWhatIsNotAnImage() throws {
        let dir = try TemporaryDirectory()
        let empty = try dir.sub("empty")
        let store = try ImageStore(root: dir.path + "/store")
        #expect(throws: ImageStoreError.self) { try store.load(from: empty) }
        #expect(throws: ImageStoreError.self) { try store.load(from: dir.path + "/missing") }
        try Data("not a tar".utf8).write(to: URL(fileURLWithPath: dir.path + "/junk.tar"))
        #expect(throws: ImageStoreError.self) { try store.load(from: dir.path + "/junk.tar") }
        #expect(try storeContents(store.root).tmp.isEmpty)
    }

    @Test(.enabled(if: getuid() == 0, "overlay whiteouts need root"))
    func multiLayerWhiteoutsStackInOverlay() throws {
        let dir = try TemporaryDirectory()
        var layout = try LayoutBuilder(path: dir.path + "/layout")
        var upper = TarWriter()
        upper.add("etc/.wh.motd", .file(""))
        upper.add("var/.wh..wh..opq", .file(""))
        upper.add("var/new", .file("new"))
        try layout.addImage(name: "example.com/wh:1",
                            layers: [Self.layer(["etc/motd": "hello", "etc/keep": "k", "var/old": "old"]), upper.archive])
        let store = try ImageStore(root: dir.path + "/store")
        let image = try store.load(from: layout.path)[0]
        // Mount the overlay as the runtime does, and look through it.
        let merged = try dir.sub("merged"), upperDir = try dir.sub("upper"), work = try dir.sub("work")
        let options = "lowerdir=\(image.lowerDir),upperdir=\(upperDir),workdir=\(work)"
        guard mount("overlay", merged, "overlay", 0, options) == 0 else {
            Issue.record("mount overlay: errno \(errno)")
            return
        }
        defer { umount2(merged, Int32(MNT_DETACH)) }
        #expect(try FileSystem.directoryEntries(merged + "/etc") == ["keep"])
        #expect(try FileSystem.directoryEntries(merged + "/var") == ["new"])
    }
}

/// The images `hack/build-images.sh` makes, when they are there.
@Suite struct BuiltImagesTests {
    static var imagesDirectory: String {
        if let env = ProcessInfo.processInfo.environment["MINIKUBE_SWIFT_IMAGES"] { return env }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return package.path + "/images/out"
    }

    static var built: Bool {
        ["busybox", "nginx-slim", "busybox-curl"].allSatisfy { FileSystem.exists(imagesDirectory + "/\($0)/index.json") }
    }

    @Test(.enabled(if: built, "run hack/build-images.sh first"))
    func builtImagesLoadAndResolveByTheSeedsNames() throws {
        let dir = try TemporaryDirectory()
        let store = try ImageStore(root: dir.path + "/images")
        for name in ["busybox", "nginx-slim", "busybox-curl"] {
            try store.load(from: Self.imagesDirectory + "/" + name)
        }
        let busybox = try store.resolve("busybox")
        let nginx = try store.resolve("k8s.gcr.io/nginx-slim:0.8")
        let curl = try store.resolve("busybox-curl")
        #expect(busybox.config.cmd == ["sh"])
        #expect(nginx.config.cmd == ["nginx", "-g", "daemon off;"])
        #expect(curl.config.cmd == ["sh"])
        // One busybox layer, unpacked once, under both images.
        #expect(nginx.layerPaths.count == 2 && curl.layerPaths.count == 2)
        #expect(nginx.layerPaths[0] == busybox.layerPaths[0] && curl.layerPaths[0] == busybox.layerPaths[0])
        #expect(try storeContents(store.root).layers.count == 3)
        #expect(FileSystem.fileType(busybox.layerPaths[0] + "/bin/sh") == S_IFLNK)
        #expect(FileSystem.fileType(nginx.layerPaths[1] + "/usr/sbin/nginx") == S_IFREG)
        #expect(FileSystem.fileType(curl.layerPaths[1] + "/usr/bin/curl") == S_IFREG)
        #expect(contents(busybox.layerPaths[0] + "/etc/passwd")?.contains("www-data:x:33:33") == true)
        #expect(FileSystem.isDirectory(nginx.layerPaths[1] + "/var/lib/nginx"))
    }
}

/// Layouts another tool wrote: umoci (Debian's `umoci`) makes the upper layer of a change
/// with real whiteouts. Skips when umoci is not installed.
@Suite struct UmociInteropTests {
    static let umoci = "/usr/bin/umoci"
    static var available: Bool { getuid() == 0 && FileSystem.exists(umoci) }

    func run(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", arguments.joined(separator: " ")]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(arguments.joined(separator: " "))")
    }

    @Test(.enabled(if: available, "needs root and umoci (apt-get install umoci)"))
    func umociRepackedLayerStacksWithWhiteouts() throws {
        let dir = try TemporaryDirectory()
        var layout = try LayoutBuilder(path: dir.path + "/layout")
        try layout.addImage(name: "example.com/wh:1", layers: [ImageStoreTests.layer([
            "etc/hosts": "127.0.0.1 localhost", "etc/keep": "k", "var/cache/a": "a", "var/cache/b": "b",
        ])])
        try run([Self.umoci, "unpack", "--image", "layout:example.com/wh:1", "bundle"], in: dir.path)
        try run(["rm rootfs/etc/hosts && rm -rf rootfs/var/cache && mkdir rootfs/var/cache && echo c > rootfs/var/cache/c",
                 "&& mkdir rootfs/srv && echo x > rootfs/srv/x"], in: dir.path + "/bundle")
        try run([Self.umoci, "repack", "--image", "layout:example.com/wh:2", "bundle"], in: dir.path)

        let store = try ImageStore(root: dir.path + "/store")
        try store.load(from: layout.path)
        let v1 = try store.resolve("example.com/wh:1")
        let v2 = try store.resolve("example.com/wh:2")
        #expect(v2.layerPaths.count == 2 && v2.layerPaths[0] == v1.layerPaths[0])

        let merged = try dir.sub("merged"), upper = try dir.sub("upper"), work = try dir.sub("work")
        guard mount("overlay", merged, "overlay", 0, "lowerdir=\(v2.lowerDir),upperdir=\(upper),workdir=\(work)") == 0 else {
            Issue.record("mount overlay: errno \(errno)")
            return
        }
        defer { umount2(merged, Int32(MNT_DETACH)) }
        #expect(try FileSystem.directoryEntries(merged + "/etc") == ["keep"])
        #expect(try FileSystem.directoryEntries(merged + "/var/cache") == ["c"])
        #expect(contents(merged + "/srv/x") == "x\n")
        #expect(try FileSystem.directoryEntries(v1.layerPaths[0] + "/etc") == ["hosts", "keep"])
    }
}

@Suite struct HostileImageArchiveTests {
    @Test func archiveSymlinksDoNotReachHostFiles() throws {
        let dir = try TemporaryDirectory()
        let secret = dir.path + "/secret.json"
        try Data(#"{"schemaVersion":2,"manifests":[]}"#.utf8).write(to: URL(fileURLWithPath: secret))
        var tar = TarWriter()
        tar.add("oci-layout", .file(#"{"imageLayoutVersion":"1.0.0"}"#))
        tar.add("index.json", .symlink(secret))
        try tar.write(to: dir.path + "/evil.tar")
        let store = try ImageStore(root: dir.path + "/store")
        #expect(throws: ImageStoreError.unsafePath(entry: "index.json", reason: "resolves outside the archive")) {
            try store.load(from: dir.path + "/evil.tar")
        }
        #expect(try storeContents(store.root).tmp.isEmpty)
    }
}

@Suite struct MountedLayerTests {
    @Test(.enabled(if: getuid() == 0, "mounting an overlay needs root"))
    func removeKeepsLayersAMountedOverlayUses() throws {
        let dir = try TemporaryDirectory()
        var layout = try LayoutBuilder(path: dir.path + "/layout")
        try layout.addImage(name: "example.com/busy:1", layers: [ImageStoreTests.layer(["bin/sh": "sh"])])
        let store = try ImageStore(root: dir.path + "/store")
        let image = try store.load(from: layout.path)[0]
        let merged = try dir.sub("merged"), upper = try dir.sub("upper"), work = try dir.sub("work")
        guard mount("overlay", merged, "overlay", 0, "lowerdir=\(image.lowerDir),upperdir=\(upper),workdir=\(work)") == 0 else {
            Issue.record("mount overlay: errno \(errno)")
            return
        }
        var mounted = true
        defer { if mounted { umount2(merged, Int32(MNT_DETACH)) } }

        try store.remove("example.com/busy:1")
        #expect(throws: ImageStoreError.notFound("example.com/busy:1")) { try store.resolve("example.com/busy:1") }
        #expect(FileSystem.isDirectory(image.layerPaths[0]))
        #expect(contents(merged + "/bin/sh") == "sh")
        #expect(try storeContents(store.root).blobs.isEmpty)

        umount2(merged, Int32(MNT_DETACH))
        mounted = false
        try store.collectGarbage()
        #expect(try storeContents(store.root).layers.isEmpty)
    }
}
