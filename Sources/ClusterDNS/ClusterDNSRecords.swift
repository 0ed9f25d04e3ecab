import KubeModel

/// The cluster zone's records, per the Kubernetes DNS specification, built from Services,
/// EndpointSlices and Pods:
/// - `svc.ns.svc.cluster.local` A: the ClusterIP, or for a headless Service one per ready
///   endpoint (not-ready ones too with `publishNotReadyAddresses`);
/// - `hostname.svc.ns.svc.cluster.local` A: an endpoint with a hostname (a StatefulSet's
///   `web-0.nginx`), and a pod with `hostname` + `subdomain` naming a headless Service;
/// - `_port._proto.svc.ns.svc.cluster.local` SRV for named ports;
/// - PTR for Service IPs and the endpoints above;
/// - `svc.ns.svc.cluster.local` CNAME to an ExternalName Service's `externalName` (any type asked;
///   a target in the zone is followed here, one outside by the server through its upstreams).
/// Unknown names in the zone answer NXDOMAIN with the SOA, known names without the asked type
/// NODATA with the SOA.
public struct ClusterDNSRecords: Sendable {
    public let domain: String
    public let ttl: UInt32
    var addresses: [String: [[UInt8]]] = [:]
    var services: [String: [DNSMessage.RecordData]] = [:]
    var pointers: [String: String] = [:]
    /// Every name that exists (with or without records of a given type).
    var names: Set<String> = []
    /// The namespace of each pod IP, for search-path completion on the server.
    var namespaces: [String: String] = [:]
    /// ExternalName Services: name → target (lower case, no trailing dot).
    var aliases: [String: String] = [:]

    public init(domain: String = "cluster.local", ttl: UInt32 = 5, services: [Service] = [], slices: [EndpointSlice] = [], pods: [Pod] = []) {
        self.domain = domain
        self.ttl = ttl
        var headless: Set<String> = []
        for service in services {
            let namespace = service.metadata.namespace ?? "default"
            let fqdn = "\(service.name).\(namespace).svc.\(domain)"
            names.insert(fqdn)
            let clusterIP = service.spec?.clusterIP ?? ""
            if service.spec?.type == "ExternalName", let target = service.spec?.externalName, !target.isEmpty {
                aliases[fqdn] = String(target.lowercased().trimmingSuffixDots)
            } else if clusterIP == "None" {
                headless.insert("\(namespace)/\(service.name)")
            } else if let address = Self.ipv4(clusterIP) {
                add(fqdn, address)
                for port in service.spec?.ports ?? [] {
                    guard let name = port.name, !name.isEmpty else { continue }
                    addService("_\(name)._\((port.protocol ?? "TCP").lowercased()).\(fqdn)",
                               .srv(priority: 0, weight: 100, port: UInt16(clamping: port.port), target: fqdn))
                }
            }
        }
        let publishNotReady = Set(services.filter { $0.spec?.publishNotReadyAddresses == true }.map { "\($0.metadata.namespace ?? "default")/\($0.name)" })
        for slice in slices {
            guard let serviceName = slice.metadata.labels?["kubernetes.io/service-name"] else { continue }
            let namespace = slice.metadata.namespace ?? "default"
            let key = "\(namespace)/\(serviceName)"
            guard headless.contains(key) else { continue }
            let fqdn = "\(serviceName).\(namespace).svc.\(domain)"
            for endpoint in slice.endpoints {
                guard endpoint.conditions?.ready ?? true || publishNotReady.contains(key) else { continue }
                for ip in endpoint.addresses {
                    guard let address = Self.ipv4(ip) else { continue }
                    add(fqdn, address)
                    var target = fqdn
                    if let hostname = endpoint.hostname, !hostname.isEmpty {
                        target = "\(hostname).\(fqdn)"
                        add(target, address)
                        pointers[Self.reverse(address)] = target
                    }
                    for port in slice.ports ?? [] {
                        guard let name = port.name, !name.isEmpty, let number = port.port else { continue }
                        addService("_\(name)._\((port.protocol ?? "TCP").lowercased()).\(fqdn)",
                                   .srv(priority: 0, weight: 100, port: UInt16(clamping: number), target: target))
                    }
                }
            }
        }
        for pod in pods {
            if let ip = pod.status?.podIP, !ip.isEmpty { namespaces[ip] = pod.metadata.namespace ?? "default" }
            guard let hostname = pod.spec?.hostname, let subdomain = pod.spec?.subdomain, !hostname.isEmpty, !subdomain.isEmpty,
                  let address = pod.status?.podIP.flatMap(Self.ipv4) else { continue }
            let namespace = pod.metadata.namespace ?? "default"
            guard headless.contains("\(namespace)/\(subdomain)") else { continue }
            let fqdn = "\(hostname).\(subdomain).\(namespace).svc.\(domain)"
            if addresses[fqdn] == nil { add(fqdn, address) }
            if pointers[Self.reverse(address)] == nil { pointers[Self.reverse(address)] = fqdn }
        }
        for service in services {
            let namespace = service.metadata.namespace ?? "default"
            if let address = Self.ipv4(service.spec?.clusterIP ?? "") {
                pointers[Self.reverse(address)] = "\(service.name).\(namespace).svc.\(domain)"
            }
        }
        for name in pointers.keys { names.insert(name) }
        // Every ancestor of a name exists too (empty non-terminals answer NODATA, not NXDOMAIN).
        for name in names {
            var labels = name.split(separator: ".")
            while labels.count > 1 {
                labels.removeFirst()
                names.insert(labels.joined(separator: "."))
            }
        }
    }

    mutating func add(_ name: String, _ address: [UInt8]) {
        names.insert(name)
        if !(addresses[name]?.contains(address) ?? false) { addresses[name, default: []].append(address) }
    }

    mutating func addService(_ name: String, _ record: DNSMessage.RecordData) {
        names.insert(name)
        if !(services[name]?.contains(record) ?? false) { services[name, default: []].append(record) }
    }

    /// Whether this server answers for a name (the cluster zone and reverse lookups).
    public func isAuthoritative(for name: String) -> Bool {
        name == domain || name.hasSuffix("." + domain) || name.hasSuffix(".in-addr.arpa") || name == "in-addr.arpa"
    }

    /// The answer to a query for a name this server is authoritative for.
    public func answer(_ query: DNSMessage) -> DNSMessage { answer(query, depth: 0) }

    private func answer(_ query: DNSMessage, depth: Int) -> DNSMessage {
        var response = DNSMessage(id: query.id)
        response.isResponse = true
        response.opcode = query.opcode
        response.recursionDesired = query.recursionDesired
        response.authoritative = true
        response.questions = query.questions
        guard query.opcode == 0 else {
            response.responseCode = .notImplemented
            return response
        }
        guard let question = query.questions.first, query.questions.count == 1 else {
            response.responseCode = .formatError
            return response
        }
        let name = question.name
        if let target = aliases[name] {
            response.answers = [.init(name: name, ttl: ttl, data: .cname(target))]
            // A chain of aliases in the zone is followed a few links deep (a loop ends there).
            if question.type != .cname, isAuthoritative(for: target), depth < 8 {
                var chased = query
                chased.questions[0].name = target
                let answer = self.answer(chased, depth: depth + 1)
                response.answers += answer.answers
                response.responseCode = answer.responseCode
            }
            return response
        }
        switch question.type {
        case .a, .any:
            for address in addresses[name] ?? [] {
                response.answers.append(.init(name: name, ttl: ttl, data: .a(address)))
            }
        case .srv:
            for record in services[name] ?? [] { response.answers.append(.init(name: name, ttl: ttl, data: record)) }
            // The targets' addresses, as CoreDNS adds them.
            for case .srv(_, _, _, let target) in services[name] ?? [] {
                for address in addresses[target] ?? [] where !response.additionals.contains(where: { $0.name == target && $0.data == .a(address) }) {
                    response.additionals.append(.init(name: target, ttl: ttl, data: .a(address)))
                }
            }
        case .ptr:
            if let target = pointers[name] { response.answers.append(.init(name: name, ttl: ttl, data: .ptr(target))) }
        default:
            break
        }
        if response.answers.isEmpty {
            if !names.contains(name) { response.responseCode = .nameError }
            let zone = name.hasSuffix(".in-addr.arpa") || name == "in-addr.arpa" ? "in-addr.arpa" : domain
            response.authorities = [.init(name: zone, ttl: ttl, data: .soa(
                primary: "ns.dns.\(domain)", mailbox: "hostmaster.\(domain)", serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl))]
        }
        return response
    }

    /// Search-path completion on the server, as CoreDNS's `autopath @kubernetes`: a name outside
    /// the zone from a pod (`web-0.nginx`, which busybox's nslookup sends without trying the
    /// search path because it has a dot) is tried under the pod's search path; the first
    /// suffix that exists answers with a CNAME to the full name and its records.
    public func completeSearchPath(_ query: DNSMessage, client: String) -> DNSMessage? {
        guard let question = query.questions.first, query.questions.count == 1,
              question.type == .a || question.type == .srv || question.type == .any,
              let namespace = namespaces[client] else { return nil }
        for suffix in ["\(namespace).svc.\(domain)", "svc.\(domain)", domain] {
            let full = "\(question.name).\(suffix)"
            guard names.contains(full) else { continue }
            var expanded = query
            expanded.questions[0].name = full
            var response = answer(expanded)
            guard !response.answers.isEmpty else { return nil }
            response.questions = query.questions
            response.answers.insert(.init(name: question.name, ttl: ttl, data: .cname(full)), at: 0)
            return response
        }
        return nil
    }

    /// The CNAME target of an ExternalName Service's name, when it lies outside the zone (the
    /// server asks its upstreams for it).
    public func externalAlias(of name: String) -> String? {
        guard let target = aliases[name], !isAuthoritative(for: target) else { return nil }
        return target
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        return octets.count == 4 ? octets : nil
    }

    /// `5.0.244.10.in-addr.arpa` for 10.244.0.5.
    static func reverse(_ address: [UInt8]) -> String {
        address.reversed().map(String.init).joined(separator: ".") + ".in-addr.arpa"
    }
}

extension String {
    /// Without the trailing dots of an absolute name (`example.com.` → `example.com`).
    var trimmingSuffixDots: Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == "." { end = index(before: end) }
        return self[..<end]
    }
}
