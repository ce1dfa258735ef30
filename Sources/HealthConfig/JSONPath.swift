import HealthCore

/// A small JSONPath subset for checks on HTTP bodies: `$`, `.name`, `["name"]`, `[index]`.
package struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    package enum Step: Sendable, Equatable { case key(String), index(Int) }

    package var steps: [Step]
    package var description: String

    package init?(parsing text: String) {
        description = text
        var rest = Substring(text)
        guard rest.first == "$" else { return nil }
        rest = rest.dropFirst()
        steps = []
        while let c = rest.first {
            if c == "." {
                rest = rest.dropFirst()
                let name = rest.prefix(while: { $0 != "." && $0 != "[" })
                guard !name.isEmpty else { return nil }
                steps.append(.key(String(name)))
                rest = rest.dropFirst(name.count)
            } else if c == "[" {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                if inner.hasPrefix("\""), inner.hasSuffix("\""), inner.count >= 2 {
                    steps.append(.key(String(inner.dropFirst().dropLast())))
                } else if let i = Int(inner), i >= 0 {
                    steps.append(.index(i))
                } else {
                    return nil
                }
                rest = rest[rest.index(after: close)...]
            } else {
                return nil
            }
        }
    }
}

/// `expect.json` entries: `{path: "$.status", op: "==", value: "operational"}`.
package struct JSONCheck: Sendable, Equatable {
    package enum Expected: Sendable, Equatable { case string(String), number(Double), bool(Bool), null }
    package var path: JSONPath
    package var op: Condition.Op
    package var value: Expected
}
