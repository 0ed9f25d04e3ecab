import KubeModel

/// The files the kubelet writes for every pod and bind-mounts into each container:
/// `/etc/hosts`, `/etc/hostname` and `/etc/resolv.conf`, as the real kubelet writes them.
public enum PodFiles {
    /// The pod's hostname: `spec.hostname`, else its name, cut to 63 characters.
    public static func hostname(of pod: Pod) -> String {
        let name = pod.spec?.hostname.flatMap { $0.isEmpty ? nil : $0 } ?? pod.name
        return String(name.prefix(63))
    }

    /// `web-0.nginx.default.svc.cluster.local` for a pod with a subdomain, else nil.
    public static func fullyQualifiedName(of pod: Pod, clusterDomain: String) -> String? {
        guard let subdomain = pod.spec?.subdomain, !subdomain.isEmpty else { return nil }
        let namespace = pod.metadata.namespace ?? "default"
        return "\(hostname(of: pod)).\(subdomain).\(namespace).svc.\(clusterDomain)"
    }

    /// The managed `/etc/hosts`: localhost entries, the pod's own address and names, then
    /// `spec.hostAliases`.
    public static func hosts(pod: Pod, podIP: String?, clusterDomain: String) -> String {
        var text = """
            # Kubernetes-managed hosts file.
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            fe00::0\tip6-mcastprefix
            fe00::1\tip6-allnodes
            fe00::2\tip6-allrouters

            """
        if let podIP, !podIP.isEmpty {
            let names = [fullyQualifiedName(of: pod, clusterDomain: clusterDomain), hostname(of: pod)].compactMap { $0 }
            text += podIP + "\t" + names.joined(separator: "\t") + "\n"
        }
        if let aliases = pod.spec?.hostAliases, !aliases.isEmpty {
            text += "\n# Entries added by HostAliases.\n"
            for alias in aliases {
                text += alias.ip + "\t" + (alias.hostnames ?? []).joined(separator: "\t") + "\n"
            }
        }
        return text
    }

    /// `/etc/resolv.conf` for the pod's `dnsPolicy` (`ClusterFirst` by default: the cluster
    /// DNS, the namespace's search path, `ndots:5`), merged with `spec.dnsConfig`. `Default`
    /// takes the node's own file, `hostResolvConf`.
    public static func resolvConf(pod: Pod, clusterDNS: String, clusterDomain: String, hostResolvConf: String) -> String {
        let namespace = pod.metadata.namespace ?? "default"
        var nameservers: [String] = []
        var searches: [String] = []
        var options: [String] = []
        var policy = pod.spec?.dnsPolicy ?? "ClusterFirst"
        if policy == "ClusterFirst" && pod.spec?.hostNetwork == true { policy = "Default" }
        switch policy {
        case "None":
            break
        case "Default":
            for line in hostResolvConf.split(separator: "\n") {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard let keyword = fields.first else { continue }
                switch keyword {
                case "nameserver": nameservers += fields.dropFirst()
                case "search", "domain": searches += fields.dropFirst()
                case "options": options += fields.dropFirst()
                default: continue
                }
            }
        default:
            nameservers = [clusterDNS]
            searches = ["\(namespace).svc.\(clusterDomain)", "svc.\(clusterDomain)", clusterDomain]
            options = ["ndots:5"]
        }
        if let config = pod.spec?.dnsConfig {
            for server in config.nameservers ?? [] where !nameservers.contains(server) { nameservers.append(server) }
            for search in config.searches ?? [] where !searches.contains(search) { searches.append(search) }
            for option in config.options ?? [] {
                guard let name = option.name else { continue }
                options.removeAll { $0 == name || $0.hasPrefix(name + ":") }
                options.append(option.value.map { "\(name):\($0)" } ?? name)
            }
        }
        var text = ""
        if !searches.isEmpty { text += "search " + searches.joined(separator: " ") + "\n" }
        for server in nameservers.prefix(3) { text += "nameserver \(server)\n" }
        if !options.isEmpty { text += "options " + options.joined(separator: " ") + "\n" }
        return text
    }
}
