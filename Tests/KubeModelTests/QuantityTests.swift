import Testing
@testable import KubeModel

@Suite struct QuantityTests {
    @Test(arguments: [
        ("1Gi", "1Gi"), ("500m", "500m"), ("1e3", "1e3"), ("0.5", "500m"), ("100M", "100M"),
        ("1000M", "1G"), ("1.5Gi", "1536Mi"), ("1024Mi", "1Gi"), ("5Gi", "5Gi"), ("0", "0"),
        ("1", "1"), ("1.5", "1500m"), ("2k", "2k"), ("-2k", "-2k"), ("+3", "3"), ("0.0000000001", "1n"),
        ("8E", "8E"), ("12E", "9223372036854775807"), ("100Ki", "100Ki"), ("1000Ki", "1000Ki"), ("512", "512"), ("0.5Ki", "512"),
        ("1E3", "1e3"), ("1e-3", "1e-3"), ("3e9", "3e9"), ("250m", "250m"), ("0.1", "100m"),
    ])
    func canonicalForm(input: String, canonical: String) throws {
        let q = try Quantity(parsing: input)
        #expect(q.description == canonical)
    }

    @Test(arguments: ["", "abc", "1Qi", "1.2.3", "Gi", "1 Gi", "--1", "1e", "."])
    func invalid(input: String) {
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: input) }
    }

    @Test func exactComparison() throws {
        #expect(try Quantity(parsing: "1Gi") == Quantity(parsing: "1073741824"))
        #expect(try Quantity(parsing: "1Gi") > Quantity(parsing: "1G"))
        #expect(try Quantity(parsing: "500m") < Quantity(parsing: "0.5000000001"))
        #expect(try Quantity(parsing: "5Gi") > Quantity(parsing: "1Gi"))
        #expect(try Quantity(parsing: "0.1") + Quantity(parsing: "0.2") == Quantity(parsing: "300m"))
        #expect(try Quantity(parsing: "1.5").value == 2)
        #expect(try Quantity(parsing: "1.5").milliValue == 1500)
        #expect(try Quantity(parsing: "1Ki").value == 1024)
    }

    @Test func codable() throws {
        let q = try JSONValue(encoding: [try Quantity(parsing: "1.5Gi")])
        #expect(q == .array([.string("1536Mi")]))
        let decoded = try JSONValue.array([.string("2Gi"), .int(3)]).decode([Quantity].self)
        #expect(decoded.map(\.description) == ["2Gi", "3"])
        #expect(throws: (any Error).self) { try JSONValue.array([.string("x")]).decode([Quantity].self) }
    }
}
