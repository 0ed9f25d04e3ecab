import Testing
@testable import KubeModel

@Suite struct StrategyTests {
    let sts = ResourceCatalog.resource(named: "sts")!

    func seedStatefulSet() throws -> JSONValue {
        try ManifestDecoder.documents(from: SeedManifests.web)[1]
    }

    @Test func createResetsStatusAndSetsGeneration() throws {
        var object = try seedStatefulSet()
        object["status"] = .object(["replicas": .int(9)])
        Admission.prepareForCreate(&object, resource: sts)
        #expect(object["status"] == .object(["replicas": .int(0), "availableReplicas": .int(0)]))
        #expect(object[path: ["metadata", "generation"]] == .int(1))
    }

    @Test func updatesKeepTheOtherHalf() throws {
        var old = try seedStatefulSet()
        Admission.prepareForCreate(&old, resource: sts)
        var changed = old
        changed.update("spec") { $0["replicas"] = .int(5) }
        changed["status"] = .object(["replicas": .int(7)])
        Admission.prepareForUpdate(&changed, old: old, resource: sts, subresource: nil)
        #expect(changed["status"] == old["status"])
        #expect(changed[path: ["spec", "replicas"]] == .int(5))
        #expect(changed[path: ["metadata", "generation"]] == .int(2))

        var status = changed
        status.update("spec") { $0["replicas"] = .int(1) }
        status["status"] = .object(["replicas": .int(5), "readyReplicas": .int(5)])
        Admission.prepareForUpdate(&status, old: changed, resource: sts, subresource: "status")
        #expect(status[path: ["spec", "replicas"]] == .int(5))
        #expect(status[path: ["status", "readyReplicas"]] == .int(5))
        #expect(status[path: ["metadata", "generation"]] == .int(2))

        var same = changed
        Admission.prepareForUpdate(&same, old: changed, resource: sts, subresource: nil)
        #expect(same[path: ["metadata", "generation"]] == .int(2))
    }

    @Test func scaleRoundTrip() throws {
        var object = try seedStatefulSet()
        object.update("metadata") { $0["namespace"] = .string("default") }
        let scale = Admission.scale(of: object)
        #expect(scale[path: ["spec", "replicas"]] == .int(3))
        #expect(scale[path: ["status", "selector"]] == .string("app=nginx"))
        #expect(scale["apiVersion"] == .string("autoscaling/v1"))
        var wanted = scale
        wanted.update("spec") { $0["replicas"] = .int(5) }
        #expect(Admission.applyScale(wanted, to: object)[path: ["spec", "replicas"]] == .int(5))
    }
}
