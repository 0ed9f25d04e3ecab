import Foundation
import Testing
@testable import KubeModel

private func json(_ text: String) -> JSONValue {
    try! JSONValue(json: Data(text.utf8))
}

@Suite struct JSONPatchTests {
    private let document = json(#"{"metadata":{"name":"web","labels":{"a/b":"1"}},"spec":{"replicas":1,"list":[1,2,3]}}"#)

    @Test func operations() throws {
        let patch = json("""
        [{"op":"test","path":"/spec/replicas","value":1},
         {"op":"replace","path":"/spec/replicas","value":5},
         {"op":"add","path":"/spec/list/-","value":4},
         {"op":"add","path":"/spec/list/0","value":0},
         {"op":"remove","path":"/spec/list/2"},
         {"op":"add","path":"/metadata/labels/new","value":"x"},
         {"op":"remove","path":"/metadata/labels/a~1b"},
         {"op":"copy","from":"/metadata/name","path":"/metadata/generateName"},
         {"op":"move","from":"/spec/list","path":"/spec/items"},
         {"op":"test","path":"/spec/replicas","value":5.0}]
        """)
        let result = try JSONPatch.apply(patch, to: document)
        #expect(result == json(#"{"metadata":{"name":"web","generateName":"web","labels":{"new":"x"}},"spec":{"replicas":5,"items":[0,1,3,4]}}"#))
    }

    @Test(arguments: [
        (#"[{"op":"remove","path":"/spec/missing"}]"#, JSONPatchError.Reason.missingPath),
        (#"[{"op":"replace","path":"/spec/missing","value":1}]"#, .missingPath),
        (#"[{"op":"add","path":"/nope/deeper","value":1}]"#, .missingPath),
        (#"[{"op":"add","path":"/spec/list/9","value":1}]"#, .missingPath),
        (#"[{"op":"remove","path":"/spec/list/01"}]"#, .missingPath),
        (#"[{"op":"test","path":"/spec/replicas","value":2}]"#, .testFailed),
        (#"[{"op":"test","path":"/spec/missing","value":2}]"#, .testFailed),
        (#"[{"op":"frobnicate","path":"/spec"}]"#, .invalidPatch),
        (#"[{"op":"add","path":"spec","value":1}]"#, .invalidPatch),
        (#"[{"op":"add","path":"/spec/x"}]"#, .invalidPatch),
        (#"[{"op":"move","from":"/spec","path":"/spec/inner"}]"#, .invalidPatch),
        (#"{"op":"add"}"#, .invalidPatch),
    ])
    func errors(patch: String, reason: JSONPatchError.Reason) {
        do {
            _ = try JSONPatch.apply(json(patch), to: document)
            Issue.record("patch \(patch) applied")
        } catch let error as JSONPatchError {
            #expect(error.reason == reason)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func errorNamesThePath() {
        #expect(throws: JSONPatchError(.missingPath, "remove operation does not apply: doc is missing path: /spec/missing")) {
            try JSONPatch.apply(json(#"[{"op":"remove","path":"/spec/missing"}]"#), to: document)
        }
    }

    @Test func failedPatchChangesNothing() throws {
        let patch = json(#"[{"op":"replace","path":"/spec/replicas","value":9},{"op":"test","path":"/spec/replicas","value":1}]"#)
        #expect(throws: JSONPatchError.self) { try JSONPatch.apply(patch, to: document) }
    }

    // RFC 7386 appendix A.
    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, "null", "null"),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func mergePatch(original: String, patch: String, expected: String) {
        #expect(JSONMergePatch.apply(json(patch), to: json(original)) == json(expected))
    }
}
