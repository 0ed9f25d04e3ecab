import Foundation
import CArchive
import Testing
@testable import ImageStore

#if canImport(Glibc)
import Glibc
#endif

@Suite struct LayerUnpackerTests {
    let unpacker = LayerUnpacker(whiteouts: .apply, privileged: false)

    /// Writes `tar` to a file in `dir` and unpacks it into `root`.
    func unpack(_ tar: TarWriter, in dir: TemporaryDirectory, root: String, mode: LayerUnpacker.WhiteoutMode = .apply) throws {
        let path = dir.path + "/layer-\(UUID().uuidString).tar"
        try tar.write(to: path)
        try LayerUnpacker(whiteouts: mode, privileged: getuid() == 0).unpack(path, into: root)
    }

    @Test(arguments: [
        ("/etc/passwd", ["etc", "passwd"]),
        ("./etc/passwd", ["etc", "passwd"]),
        ("etc//./passwd/", ["etc", "passwd"]),
        ("./", []),
        ("/", []),
    ])
    func cleansNames(name: String, expected: [String]) throws {
        #expect(try LayerUnpacker.cleanComponents(name) == expected)
    }

    @Test(arguments: ["../evil", "a/../../evil", "/..", "./a/b/../c"])
    func refusesDotDot(name: String) {
        #expect(throws: ImageStoreError.self) { try LayerUnpacker.cleanComponents(name) }
    }

    @Test func extractsUmociStyleNames() throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        var tar = TarWriter()
        tar.add("/", .directory)
        tar.add("/etc/", .directory)
        tar.add("/etc/hostname", .file("web-0\n"))
        tar.add("./bin/", .directory)
        tar.add("./bin/sh", .file("#!"), mode: 0o755)
        tar.add("bin/ls", .symlink("/bin/busybox"))
        tar.add("bin/sh2", .hardlink("./bin/sh"))
        try unpack(tar, in: dir, root: root)
        #expect(contents(root + "/etc/hostname") == "web-0\n")
        #expect(FileSystem.fileType(root + "/bin/ls") == S_IFLNK)
        var a = stat(), b = stat()
        #expect(stat(root + "/bin/sh", &a) == 0 && stat(root + "/bin/sh2", &b) == 0)
        #expect(a.st_ino == b.st_ino)
        #expect(a.st_mode & 0o777 == 0o755)
    }

    @Test func dotDotEntryNeverLandsOutside() throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("a/b/root")
        var tar = TarWriter()
        tar.add("ok", .file("fine"))
        tar.add("../evil", .file("pwned"))
        tar.add("../../../evil2", .file("pwned"))
        #expect(throws: ImageStoreError.unsafePath(entry: "../evil", reason: "'..' component")) {
            try unpack(tar, in: dir, root: root)
        }
        #expect(!fileExists(dir.path + "/a/b/evil"))
        #expect(!fileExists(dir.path + "/evil2"))
    }

    @Test func absoluteNamesStayInsideTheRoot() throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        let outside = dir.path + "/outside-abs"
        var tar = TarWriter()
        tar.add(outside, .file("confined"))  // e.g. /tmp/imagestore-test-XXXX/outside-abs
        try unpack(tar, in: dir, root: root)
        #expect(!fileExists(outside))
        #expect(contents(root + outside) == "confined")
    }

    @Test(arguments: [true, false])
    func writeThroughEscapingSymlinkIsRefused(absolute: Bool) throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        let outside = try dir.sub("outside")
        var tar = TarWriter()
        tar.add("escape", .symlink(absolute ? outside : "../outside"))
        tar.add("escape/pwned", .file("pwned"))
        #expect(throws: ImageStoreError.unsafePath(entry: "escape/pwned", reason: "parent escape is a symlink")) {
            try unpack(tar, in: dir, root: root)
        }
        #expect(!fileExists(outside + "/pwned"))
        #expect(try FileSystem.directoryEntries(outside).isEmpty)
    }

    @Test func fileReplacingASymlinkDoesNotFollowIt() throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        let target = dir.path + "/victim"
        try Data("original".utf8).write(to: URL(fileURLWithPath: target))
        var tar = TarWriter()
        tar.add("link", .symlink(target))
        tar.add("link", .file("replaced"))
        try unpack(tar, in: dir, root: root)
        #expect(contents(target) == "original")
        #expect(FileSystem.fileType(root + "/link") == S_IFREG)
        #expect(contents(root + "/link") == "replaced")
    }

    @Test func directoryOverASymlinkDoesNotFollowIt() throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        let outside = try dir.sub("outside")
        var tar = TarWriter()
        tar.add("d", .symlink(outside))
        tar.add("d/", .directory, mode: 0o700)
        try unpack(tar, in: dir, root: root)
        #expect(FileSystem.fileType(root + "/d") == S_IFDIR)
        var st = stat()
        #expect(stat(outside, &st) == 0 && st.st_mode & 0o777 == 0o755)
    }

    @Test func symlinkReplacingADirectoryKeepsDeferredFixupsInside() throws {
        // libarchive restores directory modes when the archive closes: by then the directory
        // is a symlink to the outside, which must not get the mode.
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        let outside = try dir.sub("outside")
        var tar = TarWriter()
        tar.add("d/", .directory, mode: 0o700)
        tar.add("d", .symlink(outside))
        try unpack(tar, in: dir, root: root)
        var st = stat()
        #expect(stat(outside, &st) == 0 && st.st_mode & 0o777 == 0o755)
        #expect(FileSystem.fileType(root + "/d") == S_IFLNK)
    }

    @Test(arguments: ["../../outside/secret", "/../outside/secret"])
    func hardlinkEscapingIsRefused(target: String) throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("a/root")
        try FileSystem.makeDirectories(dir.path + "/outside")
        try Data("secret".utf8).write(to: URL(fileURLWithPath: dir.path + "/outside/secret"))
        var tar = TarWriter()
        tar.add("stolen", .hardlink(target))
        #expect(throws: ImageStoreError.self) { try unpack(tar, in: dir, root: root) }
        #expect(!fileExists(root + "/stolen"))
    }

    @Test func absoluteHardlinkResolvesInsideTheRoot() throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        var tar = TarWriter()
        tar.add("stolen", .hardlink("/etc/passwd"))  // the root has no etc/passwd: must fail, not link the host's
        #expect(throws: ImageStoreError.self) { try unpack(tar, in: dir, root: root) }
        var host = stat(), linked = stat()
        if stat(root + "/stolen", &linked) == 0 && stat("/etc/passwd", &host) == 0 {
            #expect(linked.st_ino != host.st_ino)
        }
    }

    @Test func hardlinkThroughSymlinkIsRefused() throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        let outside = try dir.sub("outside")
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside + "/secret"))
        var tar = TarWriter()
        tar.add("sl", .symlink(outside))
        tar.add("stolen", .hardlink("sl/secret"))
        #expect(throws: ImageStoreError.unsafePath(entry: "stolen", reason: "parent sl is a symlink")) {
            try unpack(tar, in: dir, root: root)
        }
        #expect(!fileExists(root + "/stolen"))
    }

    @Test func whiteoutThroughSymlinkDeletesNothingOutside() throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        let outside = try dir.sub("outside")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: outside + "/keep"))
        var tar = TarWriter()
        tar.add("sl", .symlink(outside))
        tar.add("sl/.wh.keep", .file(""))
        #expect(throws: ImageStoreError.self) { try unpack(tar, in: dir, root: root) }
        tar = TarWriter()
        tar.add("sl2", .symlink(outside))
        tar.add("sl2/.wh..wh..opq", .file(""))
        #expect(throws: ImageStoreError.self) { try unpack(tar, in: dir, root: root) }
        #expect(contents(outside + "/keep") == "keep")
    }

    @Test func appliesWhiteoutsOverLowerLayers() throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        var lower = TarWriter()
        lower.add("a/1", .file("1"))
        lower.add("a/2", .file("2"))
        lower.add("b/x", .file("x"))
        lower.add("c/old", .file("old"))
        lower.add("c/sub/deep", .file("deep"))
        try unpack(lower, in: dir, root: root)

        var upper = TarWriter()
        upper.add("a/.wh.1", .file(""))
        upper.add(".wh.b", .file(""))
        upper.add("c/", .directory)
        upper.add("c/new", .file("new"))      // before the marker: kept
        upper.add("c/.wh..wh..opq", .file(""))
        upper.add("c/newer", .file("newer"))  // after it: kept
        upper.add(".wh..wh.plnk", .file(""))  // AUFS metadata: ignored
        try unpack(upper, in: dir, root: root)

        #expect(try FileSystem.directoryEntries(root + "/a") == ["2"])
        #expect(!fileExists(root + "/b"))
        #expect(try FileSystem.directoryEntries(root + "/c") == ["new", "newer"])
        #expect(try FileSystem.directoryEntries(root) == ["a", "c"])
    }

    @Test func upperFileReplacesLowerDirectory() throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        var lower = TarWriter()
        lower.add("x/y", .file("y"))
        try unpack(lower, in: dir, root: root)
        var upper = TarWriter()
        upper.add("x", .file("now a file"))
        try unpack(upper, in: dir, root: root)
        #expect(contents(root + "/x") == "now a file")
    }

    @Test(.enabled(if: getuid() == 0, "overlay whiteouts need root (mknod, trusted.* xattrs)"))
    func overlayWhiteoutsBecomeMarkers() throws {
        let dir = try TemporaryDirectory()
        let root = try dir.sub("root")
        var tar = TarWriter()
        tar.add("etc/.wh.motd", .file(""))
        tar.add("var/cache/.wh..wh..opq", .file(""))
        tar.add("owned", .file("x"), uid: 33, gid: 33)
        try unpack(tar, in: dir, root: root, mode: .overlay)
        var st = stat()
        #expect(lstat(root + "/etc/motd", &st) == 0)
        #expect(st.st_mode & S_IFMT == S_IFCHR && st.st_rdev == 0)
        #expect(carchive_is_opaque(root + "/var/cache") == 1)
        #expect(carchive_is_opaque(root + "/etc") == 0)
        #expect(lstat(root + "/owned", &st) == 0 && st.st_uid == 33 && st.st_gid == 33)
    }

    @Test func diffIDHashesTheUncompressedStream() throws {
        let dir = try TemporaryDirectory()
        var tar = TarWriter()
        tar.add("f", .file("content"))
        let plain = dir.path + "/l.tar"
        try tar.write(to: plain)
        let gz = try gzip(plain)
        let expected = "sha256:" + sha256Hex(tar.archive)
        #expect(try LayerUnpacker.diffID(of: plain).description == expected)
        #expect(try LayerUnpacker.diffID(of: gz).description == expected)
    }

    @Test func truncatedGzipIsAnError() throws {
        let dir = try TemporaryDirectory()
        var tar = TarWriter()
        for i in 0..<50 { tar.add("f\(i)", .file(String(repeating: "data\(i)", count: 500))) }
        try tar.write(to: dir.path + "/l.tar")
        let gz = try gzip(dir.path + "/l.tar")
        let data = try Data(contentsOf: URL(fileURLWithPath: gz))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: gz))
        let root = try dir.sub("root")
        #expect(throws: ImageStoreError.self) { try LayerUnpacker(whiteouts: .apply, privileged: false).unpack(gz, into: root) }
        #expect(throws: ImageStoreError.self) { try LayerUnpacker.diffID(of: gz) }
    }
}

/// `gzip -n -k PATH`; returns PATH.gz.
func gzip(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-n", "-k", "-f", path]
    try process.run()
    process.waitUntilExit()
    return path + ".gz"
}
