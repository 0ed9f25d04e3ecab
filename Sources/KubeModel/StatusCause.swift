/// A field error, serialized as a `Status` cause (`details.causes[]`).
public struct StatusCause: Codable, Sendable, Hashable {
    /// `FieldValueInvalid`, `FieldValueRequired`, …
    public var reason: String
    public var message: String
    /// The field path, `spec.template.spec.containers[0].image`.
    public var field: String

    public init(reason: String, message: String, field: String) {
        self.reason = reason
        self.message = message
        self.field = field
    }

    enum CodingKeys: String, CodingKey { case reason, message, field }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        reason = try container.decodeIfPresent(String.self, forKey: .reason) ?? ""
        message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
        field = try container.decodeIfPresent(String.self, forKey: .field) ?? ""
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !reason.isEmpty { try container.encode(reason, forKey: .reason) }
        if !message.isEmpty { try container.encode(message, forKey: .message) }
        if !field.isEmpty { try container.encode(field, forKey: .field) }
    }
}

extension StatusCause {
    /// Causes as Kubernetes' `field.ErrorType` names them.
    public enum Reason {
        public static let invalid = "FieldValueInvalid"
        public static let required = "FieldValueRequired"
        public static let notSupported = "FieldValueNotSupported"
        public static let duplicate = "FieldValueDuplicate"
        public static let forbidden = "FieldValueForbidden"
        public static let tooLong = "FieldValueTooLong"
        public static let tooMany = "FieldValueTooMany"
        public static let notFound = "FieldValueNotFound"
        public static let typeInvalid = "FieldValueTypeInvalid"
    }

    /// The line Kubernetes prints for this error,
    /// `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
    public var errorString: String { field.isEmpty ? message : "\(field): \(message)" }
}
