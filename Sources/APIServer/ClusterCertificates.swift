import Crypto
import Foundation
import SwiftASN1
import X509

/// The cluster's PKI: a CA, the API server's serving certificate and the admin client
/// certificate, created with swift-certificates on first start and kept as PEM files under
/// `<data-dir>/pki`.
public struct ClusterCertificates: Sendable {
    public var caCertificatePEM: String
    public var caKeyPEM: String
    public var servingCertificatePEM: String
    public var servingKeyPEM: String
    public var adminCertificatePEM: String
    public var adminKeyPEM: String

    /// The user the admin certificate names (CN) and its group (O).
    public static let adminUser = "kubernetes-admin"
    public static let adminGroup = "system:masters"

    static let files = ["ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "admin.crt", "admin.key"]

    /// Loads the PEM files under `directory`, creating any that are missing (a new CA re-issues
    /// every certificate).
    public static func loadOrCreate(directory: String, hostNames: [String] = []) throws -> ClusterCertificates {
        let fm = FileManager.default
        let paths = files.map { directory + "/" + $0 }
        if paths.allSatisfy({ fm.fileExists(atPath: $0) }) {
            let texts = try paths.map { try String(contentsOfFile: $0, encoding: .utf8) }
            return ClusterCertificates(
                caCertificatePEM: texts[0], caKeyPEM: texts[1], servingCertificatePEM: texts[2],
                servingKeyPEM: texts[3], adminCertificatePEM: texts[4], adminKeyPEM: texts[5])
        }
        let created = try create(hostNames: hostNames)
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CertificateError("mkdir(\(directory)): \(error)")
        }
        let texts = [created.caCertificatePEM, created.caKeyPEM, created.servingCertificatePEM,
                     created.servingKeyPEM, created.adminCertificatePEM, created.adminKeyPEM]
        for (path, text) in zip(paths, texts) {
            let isKey = path.hasSuffix(".key")
            guard fm.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: isKey ? 0o600 : 0o644]) else {
                throw CertificateError("write(\(path)) failed")
            }
        }
        return created
    }

    /// A new CA and the certificates it signs.
    public static func create(hostNames: [String] = [], now: Date = Date()) throws -> ClusterCertificates {
        let notBefore = now.addingTimeInterval(-3600)
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("minikube-swift-ca") }
        let caCertificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(caKey.publicKey),
            notValidBefore: notBefore,
            notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(caKey.publicKey))
            },
            issuerPrivateKey: .init(caKey))

        func issue(subject: DistinguishedName, usage: ExtendedKeyUsage.Usage, names: SubjectAlternativeNames?)
            throws -> (String, String)
        {
            let key = P256.Signing.PrivateKey()
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: .init(key.publicKey),
                notValidBefore: notBefore,
                notValidAfter: now.addingTimeInterval(5 * 365 * 86400),
                issuer: caName,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([usage])
                    AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: .init(caKey.publicKey)).keyIdentifier, authorityCertIssuer: nil, authorityCertSerialNumber: nil)
                    if let names { names }
                },
                issuerPrivateKey: .init(caKey))
            return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
        }

        var sans: [GeneralName] = [
            .dnsName("localhost"), .dnsName("kubernetes"), .dnsName("kubernetes.default"),
            .dnsName("kubernetes.default.svc"), .dnsName("kubernetes.default.svc.cluster.local"),
            .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
            .ipAddress(ASN1OctetString(contentBytes: [10, 96, 0, 1])),
        ]
        var hosts = hostNames
        if let host = ProcessInfo.processInfo.hostName as String?, !host.isEmpty { hosts.append(host) }
        var gethostname = [CChar](repeating: 0, count: 256)
        if Foundation.gethostname(&gethostname, 255) == 0 {
            hosts.append(String(decoding: gethostname.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        for host in Set(hosts) where !host.isEmpty && host != "localhost" {
            sans.append(.dnsName(host))
        }
        let serving = try issue(
            subject: try DistinguishedName { CommonName("kube-apiserver") },
            usage: .serverAuth, names: SubjectAlternativeNames(sans))
        let admin = try issue(
            subject: try DistinguishedName {
                OrganizationName(adminGroup)
                CommonName(adminUser)
            },
            usage: .clientAuth, names: nil)
        return ClusterCertificates(
            caCertificatePEM: try caCertificate.serializeAsPEM().pemString, caKeyPEM: caKey.pemRepresentation,
            servingCertificatePEM: serving.0, servingKeyPEM: serving.1,
            adminCertificatePEM: admin.0, adminKeyPEM: admin.1)
    }

    /// Issues a client certificate for `user` in `groups`, signed by the cluster CA (for
    /// components that talk to the API over HTTPS, and for tests).
    public func issueClientCertificate(user: String, groups: [String]) throws -> (certificatePEM: String, keyPEM: String) {
        let caKey = try P256.Signing.PrivateKey(pemRepresentation: caKeyPEM)
        let caCertificate = try Certificate(pemEncoded: caCertificatePEM)
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            for group in groups { OrganizationName(group) }
            CommonName(user)
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86400),
            issuer: caCertificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.clientAuth])
            },
            issuerPrivateKey: .init(caKey))
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
    }

    /// The user (CN) and groups (O) a client certificate names.
    public static func identity(derEncoded bytes: [UInt8]) throws -> UserInfo {
        let certificate = try Certificate(derEncoded: bytes)
        var user = ""
        var groups: [String] = []
        for rdn in certificate.subject {
            for attribute in rdn {
                switch attribute.type {
                case .RDNAttributeType.commonName: user = attribute.value.description
                case .RDNAttributeType.organizationName: groups.append(attribute.value.description)
                default: break
                }
            }
        }
        return UserInfo(name: user, groups: groups)
    }
}

/// Who made a request: a client certificate's CN and O, or a token's user.
public struct UserInfo: Sendable, Hashable {
    public var name: String
    public var groups: [String]
    public init(name: String, groups: [String]) {
        self.name = name
        self.groups = groups
    }
}

struct CertificateError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
