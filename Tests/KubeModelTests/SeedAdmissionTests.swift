import Foundation
import Testing
@testable import KubeModel

/// The manifests shipped in examples/seed go through admission exactly as the API server runs
/// it on `kubectl apply`: typed round trip, create strategy, defaults, validation.
@Suite struct SeedAdmissionTests {
    func examples() throws -> [JSONValue] {
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/seed")
        var objects: [JSONValue] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: seed.path).sorted() where name.hasSuffix(".yaml") {
            objects += try ManifestDecoder.objects(from: Data(contentsOf: seed.appendingPathComponent(name)))
        }
        return objects
    }

    @Test func examplesAreAdmitted() throws {
        let objects = try examples()
        #expect(objects.count >= 5)
        for original in objects {
            let kind = try #require(original["kind"]?.stringValue)
            let resource = try #require(ResourceCatalog.all.first { $0.gvk.kind == kind && $0.gvk.apiVersion == original["apiVersion"]?.stringValue })
            #expect(Admission.decodingError(original, kind: kind) == nil)
            var object = original
            if resource.namespaced { object.update("metadata") { $0.setDefault("namespace", "default") } }
            Admission.prepareForCreate(&object, resource: resource)
            Admission.applyDefaults(to: &object, resource: resource)
            let causes = Admission.validate(object, old: nil, resource: resource, subresource: nil)
            #expect(causes.isEmpty, "\(kind) \(object[path: ["metadata", "name"]]?.stringValue ?? ""): \(causes.map(\.errorString))")
            // The create strategy and defaulting commute.
            var otherOrder = original
            if resource.namespaced { otherOrder.update("metadata") { $0.setDefault("namespace", "default") } }
            Admission.applyDefaults(to: &otherOrder, resource: resource)
            Admission.prepareForCreate(&otherOrder, resource: resource)
            #expect(otherOrder == object)
            // Defaulting twice changes nothing.
            var again = object
            Admission.applyDefaults(to: &again, resource: resource)
            #expect(again == object)
            // Re-applying the same manifest is a valid update.
            var update = original
            if resource.namespaced { update.update("metadata") { $0.setDefault("namespace", "default") } }
            Admission.prepareForUpdate(&update, old: object, resource: resource, subresource: nil)
            Admission.applyDefaults(to: &update, resource: resource)
            #expect(Admission.validate(update, old: object, resource: resource, subresource: nil).isEmpty)
            #expect(update == object)
        }
    }
}
