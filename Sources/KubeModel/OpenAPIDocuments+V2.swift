import Foundation

extension OpenAPIDocuments {
    /// The Swagger 2.0 document of `/openapi/v2` (JSON form): every served group version's paths
    /// and definitions, converted from the v3 documents as kube-openapi aggregates them.
    /// kubectl 1.27 and 1.28 download it (as protobuf) before every `apply`.
    public static func swaggerV2() -> JSONValue { v2.document }

    /// `/openapi/v2` as `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (gnostic's
    /// `openapi.v2.Document`), the form kubectl 1.27/1.28 ask for, and its ETag hash.
    public static func swaggerV2Protobuf() -> (data: Data, hash: String) { (v2.protobuf, v2.protobufHash) }

    /// `/openapi/v2` as JSON bytes and their ETag hash.
    public static func swaggerV2JSON() -> (data: Data, hash: String) { (v2.json, v2.jsonHash) }

    struct V2: Sendable {
        var document: JSONValue
        var json: Data
        var jsonHash: String
        var protobuf: Data
        var protobufHash: String
    }

    static let v2: V2 = {
        var paths: [String: JSONValue] = [:]
        var definitions: [String: JSONValue] = [:]
        for (group, version) in Schema.groupVersions {
            guard let document = serialized[key(group: group, version: version)]?.document else { continue }
            for (path, item) in document["paths"]?.objectValue ?? [:] {
                paths[path] = v2PathItem(item)
            }
            for (name, schema) in document[path: ["components", "schemas"]]?.objectValue ?? [:] {
                definitions[name] = v2Schema(schema)
            }
        }
        let document: JSONValue = .object([
            "swagger": .string("2.0"),
            "info": .object(["title": .string("Kubernetes"), "version": .string("v1.33.0")]),
            "paths": .object(paths),
            "definitions": .object(definitions),
            "securityDefinitions": .object(["BearerToken": .object([
                "description": .string("Bearer Token authentication"), "type": .string("apiKey"),
                "name": .string("authorization"), "in": .string("header"),
            ])]),
            "security": .array([.object(["BearerToken": .array([])])]),
        ])
        let json = (try? document.jsonData()) ?? Data()
        let protobuf = Data(ProtobufV2.document(document))
        return V2(document: document, json: json, jsonHash: SHA512.hexDigest(json),
                  protobuf: protobuf, protobufHash: SHA512.hexDigest(protobuf))
    }()

    /// A v3 schema in v2 form: `#/definitions/` references, `allOf` wrappers unwrapped,
    /// `oneOf` scalars (Quantity, IntOrString) as strings.
    static func v2Schema(_ schema: JSONValue) -> JSONValue {
        guard case .object(var members) = schema else { return schema }
        if let allOf = members["allOf"]?.arrayValue, allOf.count == 1, let ref = allOf[0]["$ref"] {
            members.removeValue(forKey: "allOf")
            members["$ref"] = ref
        }
        if let ref = members["$ref"]?.stringValue {
            members["$ref"] = .string(ref.replacingOccurrences(of: "#/components/schemas/", with: "#/definitions/"))
        }
        if members.removeValue(forKey: "oneOf") != nil { members["type"] = .string("string") }
        for key in ["items", "additionalProperties"] {
            if let value = members[key] { members[key] = v2Schema(value) }
        }
        if let properties = members["properties"]?.objectValue {
            members["properties"] = .object(properties.mapValues(v2Schema))
        }
        return .object(members)
    }

    static func v2PathItem(_ item: JSONValue) -> JSONValue {
        guard case .object(let members) = item else { return item }
        var result: [String: JSONValue] = [:]
        for (key, value) in members {
            switch key {
            case "parameters": result[key] = .array((value.arrayValue ?? []).map(v2Parameter))
            case "get", "put", "post", "delete", "patch": result[key] = v2Operation(value)
            default: result[key] = value
            }
        }
        return .object(result)
    }

    static func v2Parameter(_ parameter: JSONValue) -> JSONValue {
        guard case .object(var members) = parameter else { return parameter }
        if let schema = members.removeValue(forKey: "schema")?.objectValue {
            if let type = schema["type"] { members["type"] = type }
            if let unique = schema["uniqueItems"] { members["uniqueItems"] = unique }
        }
        return .object(members)
    }

    static func v2Operation(_ operation: JSONValue) -> JSONValue {
        guard case .object(var members) = operation else { return operation }
        var parameters = (members["parameters"]?.arrayValue ?? []).map(v2Parameter)
        if let body = members.removeValue(forKey: "requestBody") {
            let content = body["content"]?.objectValue ?? [:]
            members["consumes"] = .array(content.keys.sorted().map { .string($0) })
            let schema = content.values.first?["schema"] ?? .object([:])
            parameters.insert(.object([
                "name": .string("body"), "in": .string("body"), "required": body["required"] ?? .bool(true),
                "schema": v2Schema(schema),
            ]), at: 0)
        }
        if !parameters.isEmpty { members["parameters"] = .array(parameters) }
        var produces: Set<String> = []
        var responses: [String: JSONValue] = [:]
        for (code, response) in members["responses"]?.objectValue ?? [:] {
            var converted: [String: JSONValue] = ["description": response["description"] ?? .string("")]
            if let content = response["content"]?.objectValue {
                produces.formUnion(content.keys)
                if let schema = content["application/json"]?["schema"] ?? content.values.first?["schema"] {
                    converted["schema"] = v2Schema(schema)
                }
            }
            responses[code] = .object(converted)
        }
        members["responses"] = .object(responses)
        if !produces.isEmpty { members["produces"] = .array(produces.sorted().map { .string($0) }) }
        members["schemes"] = .array([.string("https")])
        return .object(members)
    }
}

/// Protocol-buffer encoding of gnostic's `openapi.v2` messages (google/gnostic
/// openapiv2/OpenAPIv2.proto) from the Swagger JSON form.
enum ProtobufV2 {
    /// A message under construction.
    struct Message {
        var bytes: [UInt8] = []

        mutating func varint(_ value: UInt64) {
            var v = value
            while v >= 0x80 { bytes.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
            bytes.append(UInt8(v))
        }
        mutating func key(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }
        mutating func string(_ field: Int, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            bytes(field, Array(value.utf8))
        }
        mutating func bytes(_ field: Int, _ value: [UInt8]) {
            key(field, 2); varint(UInt64(value.count)); bytes += value
        }
        mutating func message(_ field: Int, _ value: Message?) {
            guard let value else { return }
            bytes(field, value.bytes)
        }
        mutating func bool(_ field: Int, _ value: Bool?) {
            guard value == true else { return }
            key(field, 0); varint(1)
        }
        mutating func strings(_ field: Int, _ values: [JSONValue]?) {
            for value in values ?? [] { string(field, value.stringValue) }
        }
    }

    static func document(_ json: JSONValue) -> [UInt8] {
        var message = Message()
        message.string(1, json["swagger"]?.stringValue)
        if let info = json["info"] {
            var m = Message()
            m.string(1, info["title"]?.stringValue)
            m.string(2, info["version"]?.stringValue)
            message.message(2, m)
        }
        var paths = Message()
        for (name, item) in sorted(json["paths"]) {
            var named = Message()
            named.string(1, name)
            named.message(2, pathItem(item))
            paths.message(2, named)
        }
        message.message(8, paths)
        var definitions = Message()
        for (name, schema) in sorted(json["definitions"]) {
            definitions.message(1, namedSchema(name, schema))
        }
        message.message(9, definitions)
        for requirement in json["security"]?.arrayValue ?? [] {
            var m = Message()
            for (name, scopes) in sorted(requirement) {
                var named = Message()
                named.string(1, name)
                var array = Message()
                array.strings(1, scopes.arrayValue)
                named.message(2, array)
                m.message(1, named)
            }
            message.message(12, m)
        }
        var securityDefinitions = Message()
        for (name, definition) in sorted(json["securityDefinitions"]) {
            var apiKey = Message()
            apiKey.string(1, definition["type"]?.stringValue)
            apiKey.string(2, definition["name"]?.stringValue)
            apiKey.string(3, definition["in"]?.stringValue)
            apiKey.string(4, definition["description"]?.stringValue)
            var item = Message()
            item.message(2, apiKey)
            var named = Message()
            named.string(1, name)
            named.message(2, item)
            securityDefinitions.message(1, named)
        }
        message.message(13, securityDefinitions)
        return message.bytes
    }

    private static func sorted(_ value: JSONValue?) -> [(String, JSONValue)] {
        (value?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// `x-…` members as `NamedAny` with the value's YAML (JSON is YAML) in `Any.yaml`.
    private static func vendorExtensions(_ field: Int, _ json: JSONValue, into message: inout Message) {
        for (name, value) in sorted(json) where name.hasPrefix("x-") {
            var any = Message()
            any.string(2, (try? value.jsonData()).map { String(decoding: $0, as: UTF8.self) + "\n" })
            var named = Message()
            named.string(1, name)
            named.message(2, any)
            message.message(field, named)
        }
    }

    static func namedSchema(_ name: String, _ schema: JSONValue) -> Message {
        var named = Message()
        named.string(1, name)
        named.message(2, self.schema(schema))
        return named
    }

    static func schema(_ json: JSONValue) -> Message {
        var m = Message()
        m.string(1, json["$ref"]?.stringValue)
        m.string(2, json["format"]?.stringValue)
        m.string(4, json["description"]?.stringValue)
        if let value = json["default"] {
            var any = Message()
            any.string(2, (try? value.jsonData()).map { String(decoding: $0, as: UTF8.self) + "\n" })
            m.message(5, any)
        }
        m.bool(16, json["uniqueItems"]?.boolValue)
        m.strings(19, json["required"]?.arrayValue)
        if let additional = json["additionalProperties"] {
            var item = Message()
            if case .bool(let flag) = additional { item.bool(2, flag) } else { item.message(1, schema(additional)) }
            m.message(21, item)
        }
        if let type = json["type"]?.stringValue {
            var item = Message()
            item.string(1, type)
            m.message(22, item)
        }
        if let items = json["items"] {
            var item = Message()
            item.message(1, schema(items))
            m.message(23, item)
        }
        for part in json["allOf"]?.arrayValue ?? [] { m.message(24, schema(part)) }
        if json["properties"] != nil {
            var properties = Message()
            for (name, property) in sorted(json["properties"]) { properties.message(1, namedSchema(name, property)) }
            m.message(25, properties)
        }
        vendorExtensions(31, json, into: &m)
        return m
    }

    static func pathItem(_ json: JSONValue) -> Message {
        var m = Message()
        for (field, method) in [(2, "get"), (3, "put"), (4, "post"), (5, "delete"), (8, "patch")] {
            if let operation = json[method] { m.message(field, self.operation(operation)) }
        }
        for parameter in json["parameters"]?.arrayValue ?? [] { m.message(9, parametersItem(parameter)) }
        vendorExtensions(10, json, into: &m)
        return m
    }

    static func operation(_ json: JSONValue) -> Message {
        var m = Message()
        m.strings(1, json["tags"]?.arrayValue)
        m.string(3, json["description"]?.stringValue)
        m.string(5, json["operationId"]?.stringValue)
        m.strings(6, json["produces"]?.arrayValue)
        m.strings(7, json["consumes"]?.arrayValue)
        for parameter in json["parameters"]?.arrayValue ?? [] { m.message(8, parametersItem(parameter)) }
        var responses = Message()
        for (code, response) in sorted(json["responses"]) {
            var body = Message()
            body.string(1, response["description"]?.stringValue)
            if let schema = response["schema"] {
                var item = Message()
                item.message(1, self.schema(schema))
                body.message(2, item)
            }
            var value = Message()
            value.message(1, body)
            var named = Message()
            named.string(1, code)
            named.message(2, value)
            responses.message(1, named)
        }
        m.message(9, responses)
        m.strings(10, json["schemes"]?.arrayValue)
        vendorExtensions(13, json, into: &m)
        return m
    }

    static func parametersItem(_ json: JSONValue) -> Message {
        var parameter = Message()
        if json["in"]?.stringValue == "body" {
            var body = Message()
            body.string(1, json["description"]?.stringValue)
            body.string(2, json["name"]?.stringValue)
            body.string(3, "body")
            body.bool(4, json["required"]?.boolValue)
            if let schema = json["schema"] { body.message(5, self.schema(schema)) }
            parameter.message(1, body)
        } else {
            var sub = Message()
            let isPath = json["in"]?.stringValue == "path"
            sub.bool(1, json["required"]?.boolValue)
            sub.string(2, json["in"]?.stringValue)
            sub.string(3, json["description"]?.stringValue)
            sub.string(4, json["name"]?.stringValue)
            sub.string(isPath ? 5 : 6, json["type"]?.stringValue)
            sub.bool(isPath ? 19 : 20, json["uniqueItems"]?.boolValue)
            var nonBody = Message()
            nonBody.message(isPath ? 4 : 3, sub)
            parameter.message(2, nonBody)
        }
        var item = Message()
        item.message(1, parameter)
        return item
    }
}
