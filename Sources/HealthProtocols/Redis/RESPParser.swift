// Incremental RESP2/RESP3 parser, stdlib only.
//
// Usage: append whatever the socket produced to a byte buffer, then call `next(from:)` until it
// returns nil (it needs more bytes) — each non-nil result is one complete top-level value, and
// its bytes have been removed from the front of the buffer.
//
// Guarantees:
// - The buffer is only consumed when a complete value is returned (nothing is committed on a nil
//   return or an error). Between a nil return and the next call the caller may only append to the
//   buffer (a buffer shorter than what was already parsed makes it start over). The parser
//   remembers how far it got (finished elements of unfinished aggregates, how much of an
//   unterminated line it has scanned), so a value that trickles in over many reads is parsed in
//   time linear in its size, not re-parsed from the start each time.
// - Whether the input is valid and which value or error results does not depend on how it was
//   split into reads: every check is tied to a position in the byte stream.
// - Every step consumes input or stops: no loops without progress; no traps on any input.
// - Memory is bounded by the input actually received and by `Limits`: bulk payloads
//   (`maxBulkLength`, 1 MiB by default — RESP allows 512 MiB, a probe needs nothing near that),
//   the declared element count of one aggregate (`maxAggregateCount`), nesting (`maxDepth`) and
//   the length of a line (`maxLineLength`). Space is never reserved from a declared count alone.
// - Once an error is thrown, the parser stays failed and rethrows it (until `reset()`).

/// Why RESP input was rejected. `context` says what was seen, unprintable bytes escaped.
package struct RESPError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: String, Sendable, Equatable, CaseIterable {
        /// A byte that does not start any RESP value (the peer is probably not a Redis server).
        case invalidType
        /// A line has a CR or LF other than its CRLF terminator.
        case malformedLine
        /// A line is longer than `maxLineLength` (or has no CRLF within it).
        case lineTooLong
        /// A length or count that is not a decimal number, or negative other than the null `-1`.
        case invalidLength
        /// A bulk, verbatim or bulk-error payload longer than `maxBulkLength`.
        case bulkTooLarge
        /// An aggregate declaring more than `maxAggregateCount` elements (pairs for maps).
        case aggregateTooLarge
        /// Aggregates nested deeper than `maxDepth`.
        case tooDeep
        /// A malformed integer, double, boolean, big number, null or verbatim string.
        case invalidValue
        /// A bulk payload not followed by CRLF.
        case missingCRLF
    }

    package var code: Code
    package var context: String

    package init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    package var description: String { "RESP \(code.rawValue): \(context)" }
}

package struct RESPParser: Sendable {
    package struct Limits: Sendable, Equatable {
        /// Longest bulk string, bulk error or verbatim string payload.
        package var maxBulkLength: Int
        /// Most elements one aggregate may declare (pairs for maps and attributes).
        package var maxAggregateCount: Int
        /// Deepest nesting of aggregates (attributes included); a top-level array is depth 1.
        package var maxDepth: Int
        /// Longest line (simple string, error, number, length header) without its CRLF.
        package var maxLineLength: Int

        package init(
            maxBulkLength: Int = 1 << 20, maxAggregateCount: Int = 1_000_000, maxDepth: Int = 32,
            maxLineLength: Int = 64 * 1024
        ) {
            self.maxBulkLength = maxBulkLength
            self.maxAggregateCount = maxAggregateCount
            self.maxDepth = maxDepth
            self.maxLineLength = maxLineLength
        }
    }

    /// What to do with RESP3 attributes (`|`), metadata sent ahead of a value.
    package enum AttributeHandling: Sendable, Equatable {
        /// Parse and drop them: the value comes out as if they had not been sent.
        case skip
        /// Return the value wrapped in `RESPValue.attributed(attributes, value)`.
        case attach
    }

    package let limits: Limits
    package let attributes: AttributeHandling

    private enum AggregateKind: Sendable {
        case array, set, push, map, attribute
    }

    /// An aggregate whose header has been parsed and whose elements are still arriving.
    private struct Frame: Sendable {
        var kind: AggregateKind
        /// Elements still expected (keys and values count separately for maps and attributes).
        var remaining: Int
        var elements: [RESPValue] = []
        /// An attribute that arrived ahead of the next element (kept only with `.attach`).
        var pendingAttribute: [(key: RESPValue, value: RESPValue)]?
    }

    private enum Item {
        case value(RESPValue)
        case aggregate(AggregateKind, count: Int)
    }

    private enum Completed {
        case value(RESPValue)
        case attribute([(key: RESPValue, value: RESPValue)])
    }

    private var stack: [Frame] = []
    private var topAttribute: [(key: RESPValue, value: RESPValue)]?
    /// Bytes at the front of the buffer already parsed into `stack` (not yet committed).
    private var offset = 0
    /// For the line starting at `offset`: bytes before this index hold no CR or LF.
    private var scannedTo = 0
    private var failure: RESPError?

    package init(limits: Limits = Limits(), attributes: AttributeHandling = .skip) {
        precondition(
            limits.maxBulkLength >= 0 && limits.maxAggregateCount >= 0 && limits.maxDepth >= 1
                && limits.maxLineLength >= 1, "RESPParser limits must be positive")
        self.limits = limits
        self.attributes = attributes
    }

    /// True when part of an aggregate (or an attribute) has been parsed and the rest is awaited.
    /// At EOF, a reply is truncated if this is true or the buffer still holds bytes.
    package var hasPartialValue: Bool { offset > 0 || !stack.isEmpty || topAttribute != nil }

    /// Forgets any partial value and a previous error.
    package mutating func reset() {
        stack = []
        topAttribute = nil
        offset = 0
        scannedTo = 0
        failure = nil
    }

    /// The next complete top-level value at the front of `buffer`, which is then removed from it;
    /// nil if more bytes are needed (the buffer is left as it is).
    package mutating func next(from buffer: inout [UInt8]) throws(RESPError) -> RESPValue? {
        if let failure { throw failure }
        if offset > buffer.count {
            // The caller did not just append: start over rather than trust stale progress.
            reset()
        }
        let result = buffer.withUnsafeBufferPointer { bytes in
            Result { () throws(RESPError) -> RESPValue? in try self.parse(bytes) }
        }
        switch result {
        case .success(let value?):
            buffer.removeFirst(offset)
            offset = 0
            scannedTo = 0
            return value
        case .success(nil):
            return nil
        case .failure(let error):
            failure = error
            throw error
        }
    }

    // MARK: - Driving

    private mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(RESPError) -> RESPValue? {
        while true {
            guard let (item, end) = try parseItem(bytes, at: offset) else { return nil }
            offset = end
            scannedTo = 0
            let completed: Completed
            switch item {
            case .value(let value):
                completed = .value(value)
            case .aggregate(let kind, let count):
                if stack.count >= limits.maxDepth {
                    throw RESPError(.tooDeep, "aggregates nested more than \(limits.maxDepth) deep")
                }
                let elements = (kind == .map || kind == .attribute) ? count * 2 : count
                if elements == 0 {
                    completed = Self.complete(Frame(kind: kind, remaining: 0))
                } else {
                    var frame = Frame(kind: kind, remaining: elements)
                    frame.elements.reserveCapacity(Swift.min(elements, 64))
                    stack.append(frame)
                    continue
                }
            }
            if let value = deliver(completed) { return value }
        }
    }

    /// Hands a finished value (or attribute) to the innermost open aggregate, closing the
    /// aggregates it completes. Returns a finished top-level value.
    private mutating func deliver(_ first: Completed) -> RESPValue? {
        var completed = first
        while true {
            guard !stack.isEmpty else {
                switch completed {
                case .attribute(let pairs):
                    if attributes == .attach { topAttribute = (topAttribute ?? []) + pairs }
                    return nil
                case .value(let value):
                    defer { topAttribute = nil }
                    if let pending = topAttribute { return .attributed(pending, value) }
                    return value
                }
            }
            let top = stack.count - 1
            switch completed {
            case .attribute(let pairs):
                // An attribute is not an element: it annotates the next one.
                if attributes == .attach {
                    stack[top].pendingAttribute = (stack[top].pendingAttribute ?? []) + pairs
                }
                return nil
            case .value(let value):
                if let pending = stack[top].pendingAttribute {
                    stack[top].elements.append(.attributed(pending, value))
                    stack[top].pendingAttribute = nil
                } else {
                    stack[top].elements.append(value)
                }
                stack[top].remaining -= 1
                if stack[top].remaining > 0 { return nil }
                completed = Self.complete(stack.removeLast())
            }
        }
    }

    private static func complete(_ frame: Frame) -> Completed {
        func pairs() -> [(key: RESPValue, value: RESPValue)] {
            stride(from: 0, to: frame.elements.count - 1, by: 2).map {
                (key: frame.elements[$0], value: frame.elements[$0 + 1])
            }
        }
        switch frame.kind {
        case .array: return .value(.array(frame.elements))
        case .set: return .value(.set(frame.elements))
        case .push: return .value(.push(frame.elements))
        case .map: return .value(.map(pairs()))
        case .attribute: return .attribute(pairs())
        }
    }

    // MARK: - One item

    /// Parses the scalar or aggregate header at `start`. Nil: incomplete.
    private mutating func parseItem(
        _ bytes: UnsafeBufferPointer<UInt8>, at start: Int
    ) throws(RESPError) -> (Item, end: Int)? {
        guard start < bytes.count else { return nil }
        let type = bytes[start]
        switch type {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "("),
            UInt8(ascii: "#"), UInt8(ascii: "_"), UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="),
            UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: "%"), UInt8(ascii: ">"), UInt8(ascii: "|"):
            break
        default:
            // Only the type byte decides, so the error does not depend on how much has arrived.
            throw RESPError(.invalidType, "unexpected byte \(Self.show(type)) where a value starts; not a Redis server?")
        }
        guard let lineEnd = try findLineEnd(bytes, from: start) else { return nil }
        let line = bytes[(start + 1)..<lineEnd]
        let next = lineEnd + 2
        switch type {
        case UInt8(ascii: "+"):
            return (.value(.simpleString(String(decoding: line, as: UTF8.self))), next)
        case UInt8(ascii: "-"):
            return (.value(.error(String(decoding: line, as: UTF8.self))), next)
        case UInt8(ascii: ":"):
            guard let n = Self.parseInteger(line) else {
                throw RESPError(.invalidValue, "integer \"\(RESPSyntax.escape(line, limit: 40))\" is not a 64-bit decimal")
            }
            return (.value(.integer(n)), next)
        case UInt8(ascii: ","):
            guard let d = Self.parseDouble(line) else {
                throw RESPError(.invalidValue, "double \"\(RESPSyntax.escape(line, limit: 40))\" is not a number")
            }
            return (.value(.double(d)), next)
        case UInt8(ascii: "("):
            guard Self.isBigNumber(line) else {
                throw RESPError(.invalidValue, "big number \"\(RESPSyntax.escape(line, limit: 40))\" is not a decimal integer")
            }
            return (.value(.bigNumber(String(decoding: line, as: UTF8.self))), next)
        case UInt8(ascii: "#"):
            if line.elementsEqual([UInt8(ascii: "t")]) { return (.value(.boolean(true)), next) }
            if line.elementsEqual([UInt8(ascii: "f")]) { return (.value(.boolean(false)), next) }
            throw RESPError(.invalidValue, "boolean \"\(RESPSyntax.escape(line, limit: 40))\" is neither t nor f")
        case UInt8(ascii: "_"):
            guard line.isEmpty else {
                throw RESPError(.invalidValue, "null has content \"\(RESPSyntax.escape(line, limit: 40))\"")
            }
            return (.value(.null), next)
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            guard let length = try Self.lengthValue(line, type: type, allowNull: type == UInt8(ascii: "$")) else {
                return (.value(.bulkString(nil)), next)
            }
            if length > limits.maxBulkLength {
                throw RESPError(
                    .bulkTooLarge,
                    "\(Self.show(type)) payload of \(Self.showLength(line)) bytes exceeds the limit of \(limits.maxBulkLength)")
            }
            guard bytes.count - next >= length + 2 else { return nil }
            let payloadEnd = next + length
            guard bytes[payloadEnd] == RESPSyntax.cr, bytes[payloadEnd + 1] == RESPSyntax.lf else {
                let seen = RESPSyntax.escape(bytes[payloadEnd..<(payloadEnd + 2)], limit: 2)
                throw RESPError(.missingCRLF, "\(length)-byte payload is followed by \"\(seen)\", not CRLF")
            }
            let payload = Array(bytes[next..<payloadEnd])
            let end = payloadEnd + 2
            switch type {
            case UInt8(ascii: "$"):
                return (.value(.bulkString(payload)), end)
            case UInt8(ascii: "!"):
                return (.value(.bulkError(String(decoding: payload, as: UTF8.self))), end)
            default:
                guard payload.count >= 4, payload[3] == UInt8(ascii: ":") else {
                    throw RESPError(
                        .invalidValue,
                        "verbatim string \"\(RESPSyntax.escape(payload, limit: 24))\" does not start with a 3-byte format and a colon")
                }
                let format = String(decoding: payload[0..<3], as: UTF8.self)
                return (.value(.verbatimString(Array(payload[4...]), format: format)), end)
            }
        default:
            // * ~ % > |
            guard let count = try Self.lengthValue(line, type: type, allowNull: type == UInt8(ascii: "*")) else {
                return (.value(.array(nil)), next)
            }
            if count > limits.maxAggregateCount {
                throw RESPError(
                    .aggregateTooLarge,
                    "\(Self.show(type)) aggregate of \(Self.showLength(line)) elements exceeds the limit of \(limits.maxAggregateCount)")
            }
            let kind: AggregateKind =
                switch type {
                case UInt8(ascii: "*"): .array
                case UInt8(ascii: "~"): .set
                case UInt8(ascii: "%"): .map
                case UInt8(ascii: ">"): .push
                default: .attribute
                }
            return (.aggregate(kind, count: count), next)
        }
    }

    /// Index of the CR of the CRLF that ends the line starting at `start` (its type byte), or nil
    /// if it has not arrived. Remembers how far it scanned, so a long line arriving byte by byte
    /// is scanned once.
    private mutating func findLineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) throws(RESPError) -> Int? {
        let contentStart = start + 1
        // A CR at `limitEnd` still ends a line of maximal length; a content byte there is one too many.
        let limitEnd = contentStart + limits.maxLineLength
        var i = Swift.max(contentStart, scannedTo)
        while i < bytes.count {
            let b = bytes[i]
            if b == RESPSyntax.cr {
                guard i + 1 < bytes.count else {
                    scannedTo = i
                    return nil
                }
                guard bytes[i + 1] == RESPSyntax.lf else {
                    throw RESPError(.malformedLine, "CR not followed by LF in line \"\(Self.excerpt(bytes, start, i))\"")
                }
                return i
            }
            if b == RESPSyntax.lf {
                throw RESPError(.malformedLine, "bare LF in line \"\(Self.excerpt(bytes, start, i))\"")
            }
            if i >= limitEnd {
                throw RESPError(
                    .lineTooLong, "line \"\(Self.excerpt(bytes, start, i))\" has no CRLF within \(limits.maxLineLength) bytes")
            }
            i += 1
        }
        scannedTo = i
        return nil
    }

    private static func excerpt(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        RESPSyntax.escape(bytes[start..<end], limit: 40)
    }

    /// A length or count: nil for the null `-1` (where allowed). Saturates far above any limit.
    private static func lengthValue(
        _ line: Slice<UnsafeBufferPointer<UInt8>>, type: UInt8, allowNull: Bool
    ) throws(RESPError) -> Int? {
        if allowNull, line.elementsEqual([RESPSyntax.minus, UInt8(ascii: "1")]) { return nil }
        guard !line.isEmpty, line.allSatisfy(RESPSyntax.isDigit) else {
            let what = line.first == RESPSyntax.minus ? "negative length" : "length"
            throw RESPError(.invalidLength, "\(what) \"\(RESPSyntax.escape(line, limit: 24))\" after \(show(type))")
        }
        var n = 0
        for digit in line where n < 1 << 50 {
            n = n * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return n
    }

    private static func showLength(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        RESPSyntax.escape(line, limit: 24)
    }

    private static func parseInteger(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Int64? {
        var digits = line[...]
        var negative = false
        if let first = digits.first, first == RESPSyntax.minus || first == RESPSyntax.plus {
            negative = first == RESPSyntax.minus
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        // Accumulate negatively so that Int64.min fits.
        var n: Int64 = 0
        for b in digits {
            guard RESPSyntax.isDigit(b) else { return nil }
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(b - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            n = s
        }
        if negative { return n }
        return n == .min ? nil : -n
    }

    private static func parseDouble(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Double? {
        if line.count <= 4 {
            let text = String(decoding: line, as: UTF8.self).lowercased()
            if text == "nan" || text == "-nan" || text == "+nan" { return .nan }
        }
        return RESPSyntax.parseNumber(line)
    }

    private static func isBigNumber(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        var digits = line[...]
        if let first = digits.first, first == RESPSyntax.minus || first == RESPSyntax.plus { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy(RESPSyntax.isDigit)
    }

    private static func show(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'" + String(UnicodeScalar(byte)) + "'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "'\\x" + (hex.count < 2 ? "0" : "") + hex + "'"
    }
}
