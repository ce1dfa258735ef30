// Hand-built PostgreSQL wire frames for the Postgres* tests, written from
// https://www.postgresql.org/docs/current/protocol-message-formats.html (independently of the
// library's encoders): a type byte (absent for SSLRequest, StartupMessage and CancelRequest), an
// Int32 big-endian length counting itself and the body, the body.

@testable import HealthProtocols

enum PGWire {
    static func int16(_ value: Int16) -> [UInt8] {
        let bits = UInt16(bitPattern: value)
        return [UInt8(bits >> 8), UInt8(bits & 0xFF)]
    }

    static func int32(_ value: Int32) -> [UInt8] {
        let bits = UInt32(bitPattern: value)
        return [UInt8(bits >> 24), UInt8((bits >> 16) & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8(bits & 0xFF)]
    }

    static func cString(_ string: String) -> [UInt8] { Array(string.utf8) + [0] }

    static func frame(_ type: Character?, _ body: [UInt8]) -> [UInt8] {
        (type.map { [$0.asciiValue!] } ?? []) + int32(Int32(4 + body.count)) + body
    }

    // MARK: Backend frames

    static func authentication(_ code: Int32, _ extra: [UInt8] = []) -> [UInt8] { frame("R", int32(code) + extra) }
    static let authenticationOk: [UInt8] = [0x52, 0, 0, 0, 8, 0, 0, 0, 0]
    static func parameterStatus(_ name: String, _ value: String) -> [UInt8] {
        frame("S", cString(name) + cString(value))
    }
    static func backendKeyData(_ pid: Int32, _ key: [UInt8]) -> [UInt8] { frame("K", int32(pid) + key) }
    static let readyForQueryIdle: [UInt8] = [0x5A, 0, 0, 0, 5, 0x49]
    static func rowDescription(_ columns: [(name: String, type: Int32)]) -> [UInt8] {
        var body = int16(Int16(columns.count))
        for column in columns {
            body += cString(column.name) + int32(0) + int16(0) + int32(column.type) + int16(-1) + int32(-1) + int16(0)
        }
        return frame("T", body)
    }
    static func dataRow(_ values: [String?]) -> [UInt8] {
        var body = int16(Int16(values.count))
        for value in values {
            if let value { body += int32(Int32(value.utf8.count)) + Array(value.utf8) } else { body += int32(-1) }
        }
        return frame("D", body)
    }
    static func commandComplete(_ tag: String) -> [UInt8] { frame("C", cString(tag)) }
    static func errorResponse(_ fields: [(Character, String)]) -> [UInt8] {
        frame("E", fields.flatMap { [$0.0.asciiValue!] + cString($0.1) } + [0])
    }

    // MARK: Frontend frames

    static let sslRequest: [UInt8] = [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F]  // 80877103 = 1234 << 16 | 5679
    static let terminate: [UInt8] = [0x58, 0, 0, 0, 4]
    static func startup(_ parameters: [(String, String)]) -> [UInt8] {
        frame(nil, int32(196_608) + parameters.flatMap { cString($0.0) + cString($0.1) } + [0])
    }
    static func query(_ sql: String) -> [UInt8] { frame("Q", cString(sql)) }
    /// The probe's query as healthd sends it: inside a read-only transaction it rolls back.
    static func readOnlyQuery(_ sql: String) -> [UInt8] { query("BEGIN READ ONLY;\n\(sql)\n;ROLLBACK") }
    static func password(_ text: String) -> [UInt8] { frame("p", cString(text)) }
    static func saslInitialResponse(_ mechanism: String, _ data: String) -> [UInt8] {
        frame("p", cString(mechanism) + int32(Int32(data.utf8.count)) + Array(data.utf8))
    }
    static func saslResponse(_ data: String) -> [UInt8] { frame("p", Array(data.utf8)) }
}

/// Decodes every complete message of `bytes`, or the first error.
func pgDecodeAll(
    _ chunks: [ArraySlice<UInt8>], expectingSSLResponseFirst: Bool = false, maxMessageLength: Int = 1 << 20
) -> Result<[PostgresBackendMessage], PostgresError> {
    var decoder = PostgresMessageDecoder(maxMessageLength: maxMessageLength)
    var messages: [PostgresBackendMessage] = []
    do throws(PostgresError) {
        for chunk in chunks {
            decoder.append(chunk)
            while let message = try decoder.next(expectingSSLResponse: expectingSSLResponseFirst && messages.isEmpty) {
                messages.append(message)
            }
        }
        return .success(messages)
    } catch {
        return .failure(error)
    }
}

/// The input whole, split in two at every offset, and byte by byte.
func pgSplits(_ bytes: [UInt8]) -> [[ArraySlice<UInt8>]] {
    var result: [[ArraySlice<UInt8>]] = [[bytes[...]]]
    for cut in 0...bytes.count { result.append([bytes[0..<cut], bytes[cut...]]) }
    result.append(bytes.indices.map { bytes[$0...$0] })
    return result
}
