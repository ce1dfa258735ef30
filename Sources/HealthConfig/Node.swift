/// A JSON value with the path it was found at, so every complaint can name its field.
/// Reading a key marks it used; keys never read are reported as unknown.
final class Node {
    let path: String
    let value: JSONValue
    private let sink: IssueSink
    private var usedKeys: Set<String> = []

    init(path: String, value: JSONValue, sink: IssueSink) {
        self.path = path
        self.value = value
        self.sink = sink
    }

    func fail(_ message: String) { sink.add(ConfigIssue(path: path, message: message)) }

    /// A text found inside this node's value (a URL's parameter), reported at this node's path.
    func derived(_ text: String) -> Node { Node(path: path, value: .string(text), sink: sink) }

    private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    var isObject: Bool { if case .object = value { true } else { false } }

    /// The value under `key`, or nil when absent (or null).
    subscript(key: String) -> Node? {
        usedKeys.insert(key)
        guard case .object(let obj) = value, let v = obj[key] else { return nil }
        if case .null = v { return nil }
        return Node(path: child(key), value: v, sink: sink)
    }

    func requireObject() -> Bool {
        if !isObject { fail("must be an object { … }") }
        return isObject
    }

    func required(_ key: String) -> Node? {
        guard let n = self[key] else {
            sink.add(ConfigIssue(path: child(key), message: "is required"))
            return nil
        }
        return n
    }

    /// Reports every key of this object that no reader asked for.
    func rejectUnknownKeys() {
        guard case .object(let obj) = value else { return }
        for key in obj.keys.sorted() where !usedKeys.contains(key) {
            sink.add(ConfigIssue(path: child(key),
                                 message: "unknown key (known here: \(usedKeys.sorted().joined(separator: ", ")))"))
        }
    }

    var string: String? {
        guard case .string(let s) = value else { fail("must be a string"); return nil }
        return s
    }

    var bool: Bool? {
        guard case .bool(let b) = value else { fail("must be true or false"); return nil }
        return b
    }

    var int: Int? {
        guard case .number(let d) = value, let i = Int(exactly: d) else { fail("must be a whole number"); return nil }
        return i
    }

    var number: Double? {
        guard case .number(let d) = value else { fail("must be a number"); return nil }
        return d
    }

    var array: [Node]? {
        guard case .array(let a) = value else { fail("must be a list [ … ]"); return nil }
        return a.enumerated().map { Node(path: "\(path)[\($0.offset)]", value: $0.element, sink: sink) }
    }

    var stringList: [String]? {
        guard let items = array else { return nil }
        let strings = items.compactMap(\.string)
        return strings.count == items.count ? strings : nil
    }
}

final class IssueSink {
    var issues: [ConfigIssue] = []
    func add(_ issue: ConfigIssue) { issues.append(issue) }
}
