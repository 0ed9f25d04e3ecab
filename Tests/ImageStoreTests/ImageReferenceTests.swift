import Testing
@testable import ImageStore

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        ("busybox", "docker.io/library/busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox:1.36"),
        ("library/busybox", "docker.io/library/busybox:latest"),
        ("docker.io/busybox", "docker.io/library/busybox:latest"),
        ("index.docker.io/library/busybox:latest", "docker.io/library/busybox:latest"),
        ("busybox-curl", "docker.io/library/busybox-curl:latest"),
        ("someone/app", "docker.io/someone/app:latest"),
        ("k8s.gcr.io/nginx-slim:0.8", "k8s.gcr.io/nginx-slim:0.8"),
        ("registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9"),
        ("localhost/app", "localhost/app:latest"),
        ("localhost:5000/a/b/c:v1", "localhost:5000/a/b/c:v1"),
        ("127.0.0.1:5000/x", "127.0.0.1:5000/x:latest"),
        ("my_app__x.y-z", "docker.io/library/my_app__x.y-z:latest"),
        ("busybox@sha256:" + String(repeating: "ab", count: 32),
         "docker.io/library/busybox@sha256:" + String(repeating: "ab", count: 32)),
        ("busybox:1@sha256:" + String(repeating: "0", count: 64),
         "docker.io/library/busybox:1@sha256:" + String(repeating: "0", count: 64)),
    ])
    func normalizes(input: String, expected: String) throws {
        #expect(try ImageReference(parsing: input).description == expected)
    }

    @Test func components() throws {
        let r = try ImageReference(parsing: "k8s.gcr.io/nginx-slim:0.8")
        #expect(r.domain == "k8s.gcr.io")
        #expect(r.path == "nginx-slim")
        #expect(r.tag == "0.8")
        #expect(r.digest == nil)
        #expect(try ImageReference(parsing: "busybox").familiarDescription == "busybox:latest")
        #expect(try ImageReference(parsing: "busybox") == ImageReference(parsing: "docker.io/library/busybox:latest"))
    }

    @Test(arguments: [
        "", "Busybox", "busybox:", ":tag", "busybox@sha256:abc", "busybox@md5:" + String(repeating: "a", count: 32),
        "a//b", "-a", "a-", "busybox:-tag", "busybox:" + String(repeating: "t", count: 129), "a/b/", "bad host/x",
        "busybox@sha256:" + String(repeating: "AB", count: 32),
    ])
    func rejects(input: String) {
        #expect(throws: ImageStoreError.self) { try ImageReference(parsing: input) }
    }

    @Test func errorNamesTheReference() {
        #expect(throws: ImageStoreError.invalidReference("UPPER", reason: "repository name must be lowercase [a-z0-9] separated by '.', '_', '__' or '-'")) {
            try ImageReference(parsing: "UPPER")
        }
    }
}

@Suite struct IndexNameTests {
    @Test func namesFromIndexAnnotations() throws {
        let c = "io.containerd.image.name", r = "org.opencontainers.image.ref.name"
        #expect(try ImageLoader.names([r: "k8s.gcr.io/nginx-slim:0.8"]) == ["k8s.gcr.io/nginx-slim:0.8"])
        #expect(try ImageLoader.names([c: "busybox"]) == ["docker.io/library/busybox:latest"])
        #expect(try ImageLoader.names([c: "busybox", r: "latest"]) == ["docker.io/library/busybox:latest"])
        // umoci copies the containerd name to a new tag: the tag wins.
        #expect(try ImageLoader.names([c: "docker.io/library/busybox:latest", r: "v2"]) == ["docker.io/library/busybox:v2"])
        // A bare tag names nothing on its own.
        #expect(try ImageLoader.names([r: "latest"]) == [])
        #expect(try ImageLoader.names(nil) == [])
        #expect(throws: ImageStoreError.self) { try ImageLoader.names([c: "Not Valid"]) }
    }
}
