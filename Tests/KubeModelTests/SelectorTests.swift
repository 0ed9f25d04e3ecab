import Testing
@testable import KubeModel

@Suite struct LabelSelectorTests {
    let labels = ["app": "nginx", "tier": "web", "env": "a", "n": "5"]

    @Test func stringForm() throws {
        #expect(try LabelSelector(parsing: "app=nginx,tier!=db,env in (a,b),!x").matches(labels))
        #expect(try LabelSelector(parsing: "app==nginx, tier").matches(labels))
        #expect(try !LabelSelector(parsing: "app=nginx,x").matches(labels))
        #expect(try !LabelSelector(parsing: "env notin (a)").matches(labels))
        #expect(try LabelSelector(parsing: "missing notin (a)").matches(labels))
        #expect(try LabelSelector(parsing: "missing!=a").matches(labels))
        #expect(try !LabelSelector(parsing: "!app").matches(labels))
        #expect(try LabelSelector(parsing: "n>3,n<6").matches(labels))
        #expect(try LabelSelector(parsing: "").matches(labels))
        #expect(try LabelSelector(parsing: "").matches([:]))
        #expect(try LabelSelector(parsing: "app=").matches(["app": ""]))
        #expect(try LabelSelector(parsing: "env in (in,a)").matches(labels))
        #expect(try LabelSelector(parsing: "tier!=db,app=nginx,env in (b,a)").description == "app=nginx,env in (a,b),tier!=db")
    }

    @Test(arguments: ["app=nginx=x", "env in (a", "env in a", "app=ngi nx", "=x", "a b", "bad key!=x", "app=-bad-"])
    func invalidStrings(selector: String) {
        #expect(throws: LabelSelector.ParseError.self) { try LabelSelector(parsing: selector) }
    }

    @Test func metaForm() throws {
        let meta: JSONValue = .object([
            "matchLabels": .object(["app": .string("nginx")]),
            "matchExpressions": .array([
                .object(["key": .string("env"), "operator": .string("In"), "values": .array([.string("a"), .string("b")])]),
                .object(["key": .string("tier"), "operator": .string("NotIn"), "values": .array([.string("db")])]),
                .object(["key": .string("app"), "operator": .string("Exists")]),
                .object(["key": .string("x"), "operator": .string("DoesNotExist")]),
            ]),
        ])
        let selector = try LabelSelector(meta)
        #expect(selector.matches(labels))
        #expect(!selector.matches(["app": "nginx", "env": "c"]))
        #expect(selector.metaJSON == meta)
        #expect(!(try LabelSelector(JSONValue.null)).matches(labels))
        #expect(try LabelSelector(JSONValue.object([:])).matches(labels))
        #expect(throws: LabelSelector.ParseError.self) {
            try LabelSelector(JSONValue.object(["matchExpressions": .array([.object(["key": .string("a"), "operator": .string("In")])])]))
        }
        #expect(throws: LabelSelector.ParseError.self) {
            try LabelSelector(JSONValue.object(["matchExpressions": .array([.object(["key": .string("a"), "operator": .string("Has")])])]))
        }
        let typed = try JSONValue.object(["matchLabels": .object(["app": .string("nginx")])]).decode(LabelSelector.self)
        #expect(typed.description == "app=nginx")
    }
}

@Suite struct FieldSelectorTests {
    let pod: JSONValue = .object([
        "metadata": .object(["name": .string("web-0"), "namespace": .string("default")]),
        "spec": .object(["nodeName": .string("node1")]),
        "status": .object(["phase": .string("Running")]),
    ])

    @Test func matching() throws {
        #expect(try FieldSelector(parsing: "metadata.name=web-0,metadata.namespace!=kube-system", kind: "Pod").matches(pod))
        #expect(try FieldSelector(parsing: "spec.nodeName==node1,status.phase=Running", kind: "Pod").matches(pod))
        #expect(try !FieldSelector(parsing: "status.phase!=Running", kind: "Pod").matches(pod))
        #expect(try FieldSelector(parsing: "spec.nodeName=", kind: "Pod").matches(.object([:])))
        #expect(try FieldSelector(parsing: "metadata.name=web-0").requiredValue(for: "metadata.name") == "web-0")
        #expect(try FieldSelector(parsing: "").matches(pod))
    }

    @Test func events() throws {
        let event: JSONValue = .object([
            "involvedObject": .object(["name": .string("web-0"), "namespace": .string("default"), "uid": .string("u1"), "kind": .string("Pod")]),
            "type": .string("Normal"),
        ])
        let s = try FieldSelector(parsing: "involvedObject.name=web-0,involvedObject.namespace=default,involvedObject.uid=u1,involvedObject.kind=Pod,type=Normal", kind: "Event")
        #expect(s.matches(event))
        #expect(try !FieldSelector(parsing: "involvedObject.uid=u2", kind: "Event").matches(event))
    }

    @Test func unsupportedField() {
        #expect {
            try FieldSelector(parsing: "spec.foo=x", kind: "Pod")
        } throws: { ($0 as? FieldSelector.ParseError)?.description == "field label not supported: spec.foo" }
        #expect(throws: FieldSelector.ParseError.self) { try FieldSelector(parsing: "spec.nodeName=x", kind: "Service") }
        #expect(throws: FieldSelector.ParseError.self) { try FieldSelector(parsing: "novalue", kind: "Pod") }
    }

    @Test func escapes() throws {
        let s = try FieldSelector(parsing: #"metadata.name=a\,b"#)
        #expect(s.requirements.first?.value == "a,b")
        #expect(s.description == #"metadata.name=a\,b"#)
    }
}
