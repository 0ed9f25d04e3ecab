#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Service, Endpoints and EndpointSlice validation.
extension Validator {
    static let ipMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"

    static func isIPv4(_ s: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, s, &address) == 1
    }

    static func isIPv6(_ s: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, s, &address) == 1
    }

    static func isIP(_ s: String) -> Bool { isIPv4(s) || isIPv6(s) }

    mutating func ip(_ value: JSONValue?, _ path: FieldPath) {
        let s = value?.stringValue ?? ""
        if s.isEmpty {
            add(FieldError.required(path))
        } else if !Self.isIP(s) {
            add(FieldError.invalid(path, .string(s), Self.ipMessage))
        }
    }

    /// `ValidateService` + `ValidateServiceUpdate`
    mutating func validateService(_ service: JSONValue, old: JSONValue?) {
        let path = FieldPath("spec")
        let spec = service["spec"] ?? .object([:])
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        supported(spec["type"], path.child("type"), ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"])
        supported(spec["sessionAffinity"], path.child("sessionAffinity"), ["ClientIP", "None"])
        let clusterIP = spec["clusterIP"]?.stringValue ?? ""
        let headless = clusterIP == "None"
        let ports = spec["ports"]?.arrayValue ?? []
        if ports.isEmpty && !headless && type != "ExternalName" {
            add(FieldError.required(path.child("ports")))
        }
        if type == "ExternalName" {
            let name = spec["externalName"]?.stringValue ?? ""
            if name.isEmpty {
                add(FieldError.required(path.child("externalName")))
            } else {
                add(NameValidation.dns1123Subdomain(name.hasSuffix(".") ? String(name.dropLast()) : name), path.child("externalName"), name)
            }
        }
        if !clusterIP.isEmpty && !headless && !Self.isIP(clusterIP) {
            add(FieldError.invalid(path.child("clusterIPs").index(0), .string(clusterIP), Self.ipMessage))
        }
        var names = Set<String>()
        var keys = Set<String>()
        for (i, port) in ports.enumerated() {
            let p = path.child("ports").index(i)
            let name = port["name"]?.stringValue ?? ""
            if ports.count > 1 && name.isEmpty {
                add(FieldError.required(p.child("name")))
            } else if !name.isEmpty {
                add(NameValidation.dns1123Label(name), p.child("name"), name)
                if !names.insert(name).inserted { add(FieldError.duplicate(p.child("name"), .string(name))) }
            }
            let number = port["port"]?.intValue ?? 0
            if !NameValidation.portNumber(number).isEmpty {
                add(FieldError.invalid(p.child("port"), .int(number), NameValidation.portNumber(number)[0]))
            }
            supported(port["protocol"], p.child("protocol"), Self.protocols, required: true)
            if let target = port["targetPort"] { portNumberOrName(target, p.child("targetPort")) }
            if let nodePort = port["nodePort"]?.intValue, nodePort != 0 {
                if type == "ClusterIP" || type == "ExternalName" {
                    add(FieldError.forbidden(p.child("nodePort"), "may not be used when `type` is '\(type)'"))
                } else if !NameValidation.portNumber(nodePort).isEmpty {
                    add(FieldError.invalid(p.child("nodePort"), .int(nodePort), NameValidation.portNumber(nodePort)[0]))
                }
            }
            let key = "\(number)/\(port["protocol"]?.stringValue ?? "TCP")"
            if !keys.insert(key).inserted {
                add(FieldError.duplicate(p, .string(key)))
            }
        }
        if let selector = spec["selector"] { validateLabels(selector, path.child("selector")) }
        supported(spec["ipFamilyPolicy"], path.child("ipFamilyPolicy"), ["PreferDualStack", "RequireDualStack", "SingleStack"])
        for (i, family) in (spec["ipFamilies"]?.arrayValue ?? []).enumerated() {
            supported(family, path.child("ipFamilies").index(i), ["IPv4", "IPv6"])
        }
        supported(spec["internalTrafficPolicy"], path.child("internalTrafficPolicy"), ["Cluster", "Local"])
        supported(spec["externalTrafficPolicy"], path.child("externalTrafficPolicy"), ["Cluster", "Local"])
        for (i, ip) in (spec["externalIPs"]?.arrayValue ?? []).enumerated() {
            self.ip(ip, path.child("externalIPs").index(i))
        }

        guard let old else { return }
        let oldSpec = old["spec"] ?? .object([:])
        let oldClusterIP = oldSpec["clusterIP"]?.stringValue ?? ""
        if !oldClusterIP.isEmpty && type != "ExternalName" && (oldSpec["type"]?.stringValue ?? "ClusterIP") != "ExternalName",
           clusterIP != oldClusterIP {
            add(FieldError.invalid(path.child("clusterIPs").index(0), rendered: "[]string{\(FieldError.quote(clusterIP))}", "may not change once set"))
        }
    }

    /// `ValidateEndpoints`
    mutating func validateEndpoints(_ endpoints: JSONValue) {
        for (i, subset) in (endpoints["subsets"]?.arrayValue ?? []).enumerated() {
            let p = FieldPath("subsets").index(i)
            let addresses = subset["addresses"]?.arrayValue ?? []
            let notReady = subset["notReadyAddresses"]?.arrayValue ?? []
            if addresses.isEmpty && notReady.isEmpty {
                add(FieldError.required(p, "must specify `addresses` or `notReadyAddresses`"))
            }
            for (key, list) in [("addresses", addresses), ("notReadyAddresses", notReady)] {
                for (j, address) in list.enumerated() {
                    let ap = p.child(key).index(j)
                    ip(address["ip"], ap.child("ip"))
                    if let hostname = address["hostname"]?.stringValue, !hostname.isEmpty {
                        add(NameValidation.dns1123Label(hostname), ap.child("hostname"), hostname)
                    }
                    if let node = address["nodeName"]?.stringValue, !node.isEmpty {
                        add(NameValidation.dns1123Subdomain(node), ap.child("nodeName"), node)
                    }
                }
            }
            let ports = subset["ports"]?.arrayValue ?? []
            for (j, port) in ports.enumerated() {
                let pp = p.child("ports").index(j)
                let name = port["name"]?.stringValue ?? ""
                if ports.count > 1 && name.isEmpty { add(FieldError.required(pp.child("name"))) }
                else if !name.isEmpty { add(NameValidation.dns1123Label(name), pp.child("name"), name) }
                let number = port["port"]?.intValue ?? 0
                if !NameValidation.portNumber(number).isEmpty {
                    add(FieldError.invalid(pp.child("port"), .int(number), NameValidation.portNumber(number)[0]))
                }
                supported(port["protocol"], pp.child("protocol"), Self.protocols, required: true)
            }
        }
    }

    /// `ValidateEndpointSlice` + `…Update`
    mutating func validateEndpointSlice(_ slice: JSONValue, old: JSONValue?) {
        let addressType = slice["addressType"]?.stringValue ?? ""
        supported(slice["addressType"], FieldPath("addressType"), ["FQDN", "IPv4", "IPv6"], required: true)
        let endpoints = slice["endpoints"]?.arrayValue ?? []
        if endpoints.count > 1000 { add(FieldError.tooMany(FieldPath("endpoints"), actual: endpoints.count, max: 1000)) }
        for (i, endpoint) in endpoints.enumerated() {
            let p = FieldPath("endpoints").index(i)
            let addresses = endpoint["addresses"]?.arrayValue ?? []
            if addresses.isEmpty {
                add(FieldError.required(p.child("addresses"), "must contain at least 1 address"))
            } else if addresses.count > 100 {
                add(FieldError.tooMany(p.child("addresses"), actual: addresses.count, max: 100))
            }
            for (j, address) in addresses.enumerated() {
                let s = address.stringValue ?? ""
                let ap = p.child("addresses").index(j)
                switch addressType {
                case "IPv4": if !Self.isIPv4(s) { add(FieldError.invalid(ap, .string(s), "must be a valid IPv4 address")) }
                case "IPv6": if !Self.isIPv6(s) { add(FieldError.invalid(ap, .string(s), "must be a valid IPv6 address")) }
                case "FQDN": add(NameValidation.dns1123Subdomain(s), ap, s)
                default: break
                }
            }
            if let hostname = endpoint["hostname"]?.stringValue, !hostname.isEmpty {
                add(NameValidation.dns1123Label(hostname), p.child("hostname"), hostname)
            }
        }
        for (i, port) in (slice["ports"]?.arrayValue ?? []).enumerated() {
            let p = FieldPath("ports").index(i)
            if let name = port["name"]?.stringValue, !name.isEmpty { add(NameValidation.dns1123Label(name), p.child("name"), name) }
            if let number = port["port"]?.intValue, !NameValidation.portNumber(number).isEmpty {
                add(FieldError.invalid(p.child("port"), .int(number), NameValidation.portNumber(number)[0]))
            }
            supported(port["protocol"], p.child("protocol"), Self.protocols)
        }
        if let old { immutable(slice["addressType"], old["addressType"], FieldPath("addressType")) }
    }
}
