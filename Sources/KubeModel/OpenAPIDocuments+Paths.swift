/// The `paths` of one resource, as kube-openapi describes a Kubernetes REST resource.
struct PathBuilder {
    let resource: APIResource
    let base: String
    let tag: String

    private var gvk: GroupVersionKind { resource.gvk }
    private var definition: String { Schema.definitionName(for: gvk) }
    private var listDefinition: String {
        Schema.definitionName(for: GroupVersionKind(group: gvk.group, version: gvk.version, kind: resource.listKind))
    }
    private var opGroup: String { OpenAPIDocuments.operationGroup(group: gvk.group, version: gvk.version) }
    private var scope: String { resource.namespaced ? "Namespaced" : "" }
    private var collectionPath: String {
        resource.namespaced ? "\(base)/namespaces/{namespace}/\(resource.plural)" : "\(base)/\(resource.plural)"
    }

    func items() -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        let verbs = Set(resource.verbs)
        // The collection.
        var collection: [String: JSONValue] = ["parameters": .array(pathParameters(name: false))]
        if verbs.contains("list") {
            collection["get"] = operation("list", id: "list\(opGroup)\(scope)\(gvk.kind)", description: "list or watch objects of kind \(gvk.kind)",
                                          parameters: listParameters(), response: listDefinition)
        }
        if verbs.contains("create") {
            collection["post"] = operation("post", id: "create\(opGroup)\(scope)\(gvk.kind)", description: "create \(article) \(gvk.kind)",
                                           parameters: writeParameters(), response: definition, body: definition, created: true)
        }
        if verbs.contains("deletecollection") {
            collection["delete"] = operation("deletecollection", id: "deletecollection\(opGroup)\(scope)\(gvk.kind)",
                                             description: "delete collection of \(gvk.kind)",
                                             parameters: deleteParameters() + listParameters().filter { $0["name"]?.stringValue != "watch" && $0["name"]?.stringValue != "allowWatchBookmarks" },
                                             response: OpenAPIDocuments.meta + "Status", body: OpenAPIDocuments.meta + "DeleteOptions")
        }
        result[collectionPath] = .object(collection)
        if resource.namespaced, verbs.contains("list") {
            result["\(base)/\(resource.plural)"] = .object([
                "parameters": .array([pretty()]),
                "get": operation("list", id: "list\(opGroup)\(gvk.kind)ForAllNamespaces", description: "list or watch objects of kind \(gvk.kind)",
                                 parameters: listParameters(), response: listDefinition),
            ])
        }
        // One object.
        var item: [String: JSONValue] = ["parameters": .array(pathParameters(name: true))]
        if verbs.contains("get") {
            item["get"] = operation("get", id: "read\(opGroup)\(scope)\(gvk.kind)", description: "read the specified \(gvk.kind)", parameters: [], response: definition)
        }
        if verbs.contains("update") {
            item["put"] = operation("put", id: "replace\(opGroup)\(scope)\(gvk.kind)", description: "replace the specified \(gvk.kind)",
                                    parameters: writeParameters(), response: definition, body: definition, created: true)
        }
        if verbs.contains("patch") {
            item["patch"] = operation("patch", id: "patch\(opGroup)\(scope)\(gvk.kind)", description: "partially update the specified \(gvk.kind)",
                                      parameters: patchParameters(), response: definition, patchBody: true, created: true)
        }
        if verbs.contains("delete") {
            item["delete"] = operation("delete", id: "delete\(opGroup)\(scope)\(gvk.kind)", description: "delete \(article) \(gvk.kind)",
                                       parameters: deleteParameters(), response: definition, body: OpenAPIDocuments.meta + "DeleteOptions", accepted: true)
        }
        result["\(collectionPath)/{name}"] = .object(item)
        // Subresources.
        for subresource in resource.subresources {
            let suffix = subresource.prefix(1).uppercased() + subresource.dropFirst()
            let path = "\(collectionPath)/{name}/\(subresource)"
            switch subresource {
            case "status", "scale":
                let kind = subresource == "scale" ? GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale") : gvk
                let body = Schema.definitionName(for: kind)
                result[path] = .object([
                    "parameters": .array(pathParameters(name: true)),
                    "get": operation("get", id: "read\(opGroup)\(scope)\(gvk.kind)\(suffix)", description: "read \(subresource) of the specified \(gvk.kind)",
                                     parameters: [], response: body, kind: kind),
                    "put": operation("put", id: "replace\(opGroup)\(scope)\(gvk.kind)\(suffix)", description: "replace \(subresource) of the specified \(gvk.kind)",
                                     parameters: writeParameters(), response: body, body: body, created: true, kind: kind),
                    "patch": operation("patch", id: "patch\(opGroup)\(scope)\(gvk.kind)\(suffix)", description: "partially update \(subresource) of the specified \(gvk.kind)",
                                       parameters: patchParameters(), response: body, patchBody: true, created: true, kind: kind),
                ])
            case "binding":
                let kind = GroupVersionKind(group: "", version: "v1", kind: "Binding")
                result[path] = .object([
                    "parameters": .array(pathParameters(name: true, nameDescription: "name of the Binding")),
                    "post": operation("post", id: "create\(opGroup)\(scope)\(gvk.kind)Binding", description: "create binding of a Pod",
                                      parameters: writeParameters(), response: "io.k8s.api.core.v1.Binding", body: "io.k8s.api.core.v1.Binding",
                                      created: true, kind: kind),
                ])
            case "log":
                let logParameters = ["container", "follow", "insecureSkipTLSVerifyBackend", "limitBytes", "previous", "sinceSeconds", "stream", "tailLines", "timestamps"]
                result[path] = .object([
                    "parameters": .array(pathParameters(name: true, nameDescription: "name of the Pod")),
                    "get": logOperation(id: "read\(opGroup)\(scope)\(gvk.kind)Log", parameters: logParameters.map { query($0, type: ["follow", "insecureSkipTLSVerifyBackend", "previous", "timestamps"].contains($0) ? "boolean" : (["limitBytes", "sinceSeconds", "tailLines"].contains($0) ? "integer" : "string")) }),
                ])
            case "exec":
                let kind = GroupVersionKind(group: "", version: "v1", kind: "PodExecOptions")
                let execParameters = ["command", "container", "stderr", "stdin", "stdout", "tty"].map {
                    query($0, type: ["stderr", "stdin", "stdout", "tty"].contains($0) ? "boolean" : "string")
                }
                result[path] = .object([
                    "parameters": .array(pathParameters(name: true, nameDescription: "name of the PodExecOptions") + execParameters),
                    "get": connectOperation(id: "connect\(opGroup)Get\(scope)\(gvk.kind)Exec", description: "connect GET requests to exec of Pod", kind: kind),
                    "post": connectOperation(id: "connect\(opGroup)Post\(scope)\(gvk.kind)Exec", description: "connect POST requests to exec of Pod", kind: kind),
                ])
            default:
                continue
            }
        }
        return result
    }

    private var article: String {
        ["A", "E", "I", "O", "U"].contains(gvk.kind.prefix(1)) ? "an" : "a"
    }

    // MARK: operations

    private func operation(
        _ action: String, id: String, description: String, parameters: [JSONValue], response: String,
        body: String? = nil, patchBody: Bool = false, created: Bool = false, accepted: Bool = false, kind: GroupVersionKind? = nil
    ) -> JSONValue {
        var op: [String: JSONValue] = [
            "tags": .array([.string(tag)]),
            "description": .string(description),
            "operationId": .string(id),
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": OpenAPIDocuments.gvkValue(kind ?? gvk),
        ]
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        var responses = OpenAPIDocuments.responses(response).objectValue ?? [:]
        if action == "list" {
            responses = OpenAPIDocuments.responses(response, extra: ["application/yaml", "application/vnd.kubernetes.protobuf",
                                                                     "application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"]).objectValue ?? [:]
        }
        if created, let ok = responses["200"] {
            var createdResponse = ok
            createdResponse["description"] = .string("Created")
            responses["201"] = createdResponse
        }
        if accepted, let ok = responses["200"] {
            var acceptedResponse = ok
            acceptedResponse["description"] = .string("Accepted")
            responses["202"] = acceptedResponse
        }
        op["responses"] = .object(responses)
        if let body {
            var content: [String: JSONValue] = [:]
            for type in ["*/*"] {
                content[type] = .object(["schema": .object(["$ref": .string("#/components/schemas/\(body)")])])
            }
            op["requestBody"] = .object(["content": .object(content), "required": .bool(action != "delete" && action != "deletecollection")])
        }
        if patchBody {
            var content: [String: JSONValue] = [:]
            for type in ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"] {
                content[type] = .object(["schema": .object(["$ref": .string("#/components/schemas/\(OpenAPIDocuments.meta)Patch")])])
            }
            op["requestBody"] = .object(["content": .object(content), "required": .bool(true)])
        }
        return .object(op)
    }

    private func logOperation(id: String, parameters: [JSONValue]) -> JSONValue {
        .object([
            "tags": .array([.string(tag)]),
            "description": .string("read log of the specified Pod"),
            "operationId": .string(id),
            "parameters": .array(parameters),
            "responses": .object([
                "200": .object(["description": .string("OK"), "content": .object([
                    "text/plain": .object(["schema": .object(["type": .string("string")])]),
                    "application/json": .object(["schema": .object(["type": .string("string")])]),
                ])]),
                "401": .object(["description": .string("Unauthorized")]),
            ]),
            "x-kubernetes-action": .string("get"),
            "x-kubernetes-group-version-kind": OpenAPIDocuments.gvkValue(gvk),
        ])
    }

    private func connectOperation(id: String, description: String, kind: GroupVersionKind) -> JSONValue {
        .object([
            "tags": .array([.string(tag)]),
            "description": .string(description),
            "operationId": .string(id),
            "responses": .object([
                "200": .object(["description": .string("OK"), "content": .object(["*/*": .object(["schema": .object(["type": .string("string")])])])]),
                "401": .object(["description": .string("Unauthorized")]),
            ]),
            "x-kubernetes-action": .string("connect"),
            "x-kubernetes-group-version-kind": OpenAPIDocuments.gvkValue(kind),
        ])
    }

    // MARK: parameters

    private func query(_ name: String, type: String = "string", description: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name), "in": .string("query"),
            "schema": .object(["type": .string(type), "uniqueItems": .bool(true)]),
        ]
        if let description { members["description"] = .string(description) }
        return .object(members)
    }

    private func pretty() -> JSONValue {
        query("pretty", description: "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).")
    }

    private func pathParameters(name: Bool, nameDescription: String? = nil) -> [JSONValue] {
        var result: [JSONValue] = []
        if name {
            result.append(.object([
                "name": .string("name"), "in": .string("path"), "required": .bool(true),
                "description": .string(nameDescription ?? "name of the \(gvk.kind)"),
                "schema": .object(["type": .string("string"), "uniqueItems": .bool(true)]),
            ]))
        }
        if resource.namespaced {
            result.append(.object([
                "name": .string("namespace"), "in": .string("path"), "required": .bool(true),
                "description": .string("object name and auth scope, such as for teams and projects"),
                "schema": .object(["type": .string("string"), "uniqueItems": .bool(true)]),
            ]))
        }
        result.append(pretty())
        return result
    }

    private func dryRun() -> JSONValue {
        query("dryRun", description: "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed")
    }

    private func fieldValidation() -> JSONValue {
        query("fieldValidation", description: "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.")
    }

    private func writeParameters() -> [JSONValue] {
        [dryRun(),
         query("fieldManager", description: "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint."),
         fieldValidation()]
    }

    private func patchParameters() -> [JSONValue] {
        writeParameters() + [query("force", type: "boolean", description: "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.")]
    }

    private func deleteParameters() -> [JSONValue] {
        [dryRun(),
         query("gracePeriodSeconds", type: "integer", description: "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately."),
         query("ignoreStoreReadErrorWithClusterBreakingPotential", type: "boolean"),
         query("orphanDependents", type: "boolean"),
         query("propagationPolicy", description: "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.")]
    }

    private func listParameters() -> [JSONValue] {
        [query("allowWatchBookmarks", type: "boolean"), query("continue"), query("fieldSelector"), query("labelSelector"),
         query("limit", type: "integer"), query("resourceVersion"), query("resourceVersionMatch"),
         query("sendInitialEvents", type: "boolean"), query("timeoutSeconds", type: "integer"), query("watch", type: "boolean")]
    }
}
