/// The query-string form of label selectors (`k8s.io/apimachinery/pkg/labels.Parse`).
extension LabelSelector {
    /// Parses `app=nginx,tier!=db,env in (a,b),env notin (c),!x,x,n>3`. The empty string selects everything.
    public init(parsing string: String) throws(ParseError) {
        var lexer = Lexer(Array(string.unicodeScalars))
        var requirements: [Requirement] = []
        while true {
            var token = lexer.next()
            if token == .end { break }
            var negated = false
            if token == .not {
                negated = true
                token = lexer.next()
            }
            guard case .identifier(let key) = token else {
                throw ParseError("unable to parse requirement: found '\(token.text)', expected: identifier")
            }
            if negated {
                requirements.append(try Self.parsedRequirement(key: key, op: .doesNotExist, values: []))
            } else {
                let op = lexer.peek()
                switch op {
                case .comma, .end:
                    requirements.append(try Self.parsedRequirement(key: key, op: .exists, values: []))
                case .equals, .doubleEquals, .notEquals, .greaterThan, .lessThan:
                    _ = lexer.next()
                    var value = ""
                    switch lexer.peek() {
                    case .identifier(let v): value = v; _ = lexer.next()
                    case .in, .notIn: value = lexer.next().text
                    case .comma, .end: value = ""
                    default: throw ParseError("found '\(lexer.peek().text)', expected: identifier")
                    }
                    let parsedOp: Requirement.Operator = switch op {
                    case .equals: .equals
                    case .doubleEquals: .doubleEquals
                    case .notEquals: .notEquals
                    case .greaterThan: .greaterThan
                    default: .lessThan
                    }
                    requirements.append(try Self.parsedRequirement(key: key, op: parsedOp, values: [value]))
                case .in, .notIn:
                    _ = lexer.next()
                    guard lexer.next() == .openParen else { throw ParseError("found '\(lexer.peek().text)', expected: '('") }
                    var values: [String] = []
                    loop: while true {
                        switch lexer.next() {
                        case .identifier(let v):
                            values.append(v)
                            let after = lexer.next()
                            if after == .closeParen { break loop }
                            if after != .comma { throw ParseError("found '\(after.text)', expected: ',' or ')'") }
                        case let keyword where keyword == .in || keyword == .notIn:
                            values.append(keyword.text)
                            let after = lexer.next()
                            if after == .closeParen { break loop }
                            if after != .comma { throw ParseError("found '\(after.text)', expected: ',' or ')'") }
                        case .closeParen:
                            values.append("")
                            break loop
                        case .comma:
                            values.append("")
                        case let other:
                            throw ParseError("found '\(other.text)', expected: ',', ')' or identifier")
                        }
                    }
                    requirements.append(try Self.parsedRequirement(key: key, op: op == .in ? .in : .notIn, values: values))
                default:
                    throw ParseError("found '\(op.text)', expected: in, notin, =, ==, !=, gt, lt")
                }
            }
            let separator = lexer.next()
            if separator == .end { break }
            if separator != .comma { throw ParseError("found '\(separator.text)', expected: ',' or 'end of string'") }
        }
        self.init(requirements: requirements)
    }

    /// `labels.Parse` reports requirement errors as `unable to parse requirement: …`.
    static func parsedRequirement(key: String, op: Requirement.Operator, values: [String]) throws(ParseError) -> Requirement {
        do {
            return try requirement(key: key, op: op, values: values)
        } catch {
            throw ParseError("unable to parse requirement: \(error.description)")
        }
    }

    enum Token: Equatable {
        case end, comma, not, equals, doubleEquals, notEquals, greaterThan, lessThan
        case `in`, notIn, openParen, closeParen
        case identifier(String)
        case error(String)

        var text: String {
            switch self {
            case .end: return ""
            case .comma: return ","
            case .not: return "!"
            case .equals: return "="
            case .doubleEquals: return "=="
            case .notEquals: return "!="
            case .greaterThan: return ">"
            case .lessThan: return "<"
            case .in: return "in"
            case .notIn: return "notin"
            case .openParen: return "("
            case .closeParen: return ")"
            case .identifier(let s), .error(let s): return s
            }
        }
    }

    struct Lexer {
        let chars: [Unicode.Scalar]
        var position = 0
        var peeked: Token?
        var afterKeywordPosition = 0

        init(_ chars: [Unicode.Scalar]) { self.chars = chars }

        mutating func peek() -> Token {
            if let peeked { return peeked }
            let saved = position
            let token = lex()
            afterKeywordPosition = position
            position = saved
            peeked = token
            return token
        }

        mutating func next() -> Token {
            if let token = peeked {
                peeked = nil
                position = afterKeywordPosition
                return token
            }
            return lex()
        }

        private static func isSpecial(_ c: Unicode.Scalar) -> Bool { "=!(),><".unicodeScalars.contains(c) }
        private static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" }

        private mutating func lex() -> Token {
            while position < chars.count, Self.isSpace(chars[position]) { position += 1 }
            guard position < chars.count else { return .end }
            let c = chars[position]
            if Self.isSpecial(c) {
                var text = String(c)
                position += 1
                while position < chars.count, Self.isSpecial(chars[position]) {
                    let candidate = text + String(chars[position])
                    guard candidate == "==" || candidate == "!=" else { break }
                    text = candidate
                    position += 1
                }
                switch text {
                case "=": return .equals
                case "==": return .doubleEquals
                case "!=": return .notEquals
                case "!": return .not
                case "(": return .openParen
                case ")": return .closeParen
                case ",": return .comma
                case ">": return .greaterThan
                case "<": return .lessThan
                default: return .error(text)
                }
            }
            var text = ""
            while position < chars.count, !Self.isSpace(chars[position]), !Self.isSpecial(chars[position]) {
                text.unicodeScalars.append(chars[position])
                position += 1
            }
            switch text {
            case "in": return .in
            case "notin": return .notIn
            default: return .identifier(text)
            }
        }
    }
}
