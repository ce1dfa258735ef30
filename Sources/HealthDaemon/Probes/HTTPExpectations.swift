import Foundation
import HealthConfig
import HealthCore
import HealthProtocols

/// Judges an HTTP response against a probe's `expect` and reads its `value_from_json`.
enum HTTPExpectations {
    static func judge(_ response: HTTPResponse, _ check: HTTPCheck, latencyMs: Double) -> ProbeOutcome {
        guard check.accepts(status: response.status) else {
            let expected = check.statuses.isEmpty ? "200-399" : check.statuses.map(String.init).joined(separator: ", ")
            return fail("status \(response.status) \(response.reason), expected \(expected)")
        }
        if let max = check.maxLatency, latencyMs > max.milliseconds {
            return fail("took \(formatNumber(latencyMs))ms, more than max_latency \(max)")
        }
        let body = String(decoding: response.body, as: UTF8.self)
        for text in check.bodyContains where !body.contains(text) {
            return fail("the body does not contain \"\(text)\"")
        }
        if let pattern = check.bodyRegex, let regex = try? Regex(pattern), (try? regex.firstMatch(in: body)) == nil {
            return fail("the body does not match /\(pattern)/")
        }
        var value: Double?
        if !check.json.isEmpty || check.valueFromJSON != nil {
            guard let doc = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed]) else {
                return fail("the body is not JSON")
            }
            for j in check.json {
                if let problem = evaluate(j, in: doc) { return fail(problem) }
            }
            if let path = check.valueFromJSON {
                guard let found = lookup(path, in: doc) else { return fail("\(path) is not in the body") }
                guard let v = number(found) else { return fail("\(path) is \(describe(found)), not a number") }
                value = v
            }
        }
        return .success(value: value, message: "\(response.status) \(response.reason)")
    }

    private static func fail(_ why: String) -> ProbeOutcome { .failure(ProbeFailure(.assertion, why)) }

    /// nil when the check holds, else why not.
    static func evaluate(_ check: JSONCheck, in doc: Any) -> String? {
        guard let found = lookup(check.path, in: doc) else { return "\(check.path) is not in the body" }
        let holds: Bool
        switch check.value {
        case .string(let s):
            let equal = (found as? String) == s
            holds = check.op == .eq ? equal : !equal
        case .number(let n):
            guard let v = number(found) else { return "\(check.path) is \(describe(found)), not a number" }
            holds = check.op.holds(v, n)
        case .bool(let b):
            let equal = (found as? NSNumber).map { isBool($0) && $0.boolValue == b } ?? false
            holds = check.op == .ne ? !equal : equal
        case .null:
            holds = found is NSNull
        }
        return holds ? nil : "\(check.path) is \(describe(found)), expected \(check.op.rawValue) \(describe(check.value))"
    }

    static func lookup(_ path: JSONPath, in doc: Any) -> Any? {
        var current: Any = doc
        for step in path.steps {
            switch step {
            case .key(let k):
                guard let next = (current as? [String: Any])?[k] else { return nil }
                current = next
            case .index(let i):
                guard let array = current as? [Any], i < array.count else { return nil }
                current = array[i]
            }
        }
        return current
    }

    private static func number(_ v: Any) -> Double? {
        if let n = v as? NSNumber { return isBool(n) ? (n.boolValue ? 1 : 0) : n.doubleValue }
        if let s = v as? String { return Double(s) }
        return nil
    }

    // JSONSerialization keeps true/false as a boolean NSNumber, whose type code is "c".
    private static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    private static func describe(_ v: Any) -> String {
        switch v {
        case let s as String: "\"\(s.count > 60 ? String(s.prefix(60)) + "…" : s)\""
        case let n as NSNumber: isBool(n) ? (n.boolValue ? "true" : "false") : formatNumber(n.doubleValue)
        case is NSNull: "null"
        case is [Any]: "a list"
        case is [String: Any]: "an object"
        default: "\(v)"
        }
    }

    private static func describe(_ e: JSONCheck.Expected) -> String {
        switch e {
        case .string(let s): "\"\(s)\""
        case .number(let n): formatNumber(n)
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        }
    }
}
