import ArgumentParser
import Foundation
import KubeClient
import KubeModel

/// `minikube-swift get KIND [NAME] [-o yaml|json|wide]`: the server's Table, or the objects.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show objects of a kind.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The kind: pods, po, statefulsets, sts, pv, pvc, …")
    var kind: String

    @Argument(help: "One object's name.")
    var name: String?

    @Option(name: .shortAndLong, help: "yaml, json or wide.")
    var output: String?

    @Flag(name: [.customShort("A"), .long], help: "Every namespace.")
    var allNamespaces = false

    func run() async throws {
        guard let resource = ResourceCatalog.resource(named: kind) else {
            throw ValidationError("the server doesn't have a resource type \"\(kind)\"")
        }
        try await client.withClient { api in try await show(resource, api) }
    }

    func show(_ resource: APIResource, _ api: HTTPKubeClient) async throws {
        let namespace: String? = resource.namespaced && !allNamespaces ? (client.namespace ?? api.defaultNamespace) : nil
        let path = HTTPKubeClient.path(resource, namespace: namespace, name: name)
        switch output {
        case "yaml", "json":
            let value = try await api.send(.GET, path)
            if output == "json" {
                print(String(decoding: try value.jsonData(pretty: true), as: UTF8.self))
            } else {
                print(try YAMLWriter.string(value), terminator: "")
            }
        case nil, "wide":
            let table = try await api.send(.GET, path, accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
            print(Self.render(table, wide: output == "wide", namespaceColumn: resource.namespaced && allNamespaces), terminator: "")
        default:
            throw ValidationError("unable to match a printer suitable for the output format \"\(output ?? "")\"")
        }
    }

    /// Prints a Table as kubectl does: upper-case headers, columns three spaces apart.
    static func render(_ table: JSONValue, wide: Bool, namespaceColumn: Bool) -> String {
        let columns = table["columnDefinitions"]?.arrayValue ?? []
        let shown = columns.indices.filter { wide || (columns[$0]["priority"]?.intValue ?? 0) == 0 }
        var header = shown.map { (columns[$0]["name"]?.stringValue ?? "").uppercased() }
        var rows: [[String]] = []
        for row in table["rows"]?.arrayValue ?? [] {
            let cells = row["cells"]?.arrayValue ?? []
            var line = shown.map { index -> String in
                guard index < cells.count else { return "" }
                switch cells[index] {
                case .string(let s): return s
                case .int(let i): return String(i)
                case .double(let d): return String(d)
                case .bool(let b): return String(b)
                case .null: return "<none>"
                default: return ""
                }
            }
            if namespaceColumn { line.insert(row[path: ["object", "metadata", "namespace"]]?.stringValue ?? "", at: 0) }
            rows.append(line)
        }
        if namespaceColumn { header.insert("NAMESPACE", at: 0) }
        if rows.isEmpty { return "No resources found\n" }
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
            }.joined()
        }
        return ([format(header)] + rows.map(format)).joined(separator: "\n") + "\n"
    }
}
